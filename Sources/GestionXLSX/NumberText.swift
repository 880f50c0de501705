import Foundation

/// A finite double as a decimal: `digits` (no leading or trailing zeros, at most 15, the
/// precision spreadsheets keep) times 10 to the power `exponent` relative to the first digit,
/// so 1234.5 is `12345`, 3 and 0.012 is `12`, -2.
struct DecimalNumber {
    var negative: Bool
    var digits: [UInt8]
    var exponent: Int

    static let significantDigits = 15

    init(_ value: Double) {
        // The shortest text that reads back as `value` has at most 17 digits; rounding it to
        // 15 gives `value` rounded to 15 digits (but for rare ties such as `…4999…` printed as
        // `…5`, where it rounds up like a person reading the shortest text would).
        self.init(parsing: value.magnitude.description, negative: value.sign == .minus && value != 0)
        if digits.count > Self.significantDigits {
            let roundUp = digits[Self.significantDigits] >= 5
            digits.removeLast(digits.count - Self.significantDigits)
            if roundUp {
                var index = digits.count - 1
                while index >= 0 && digits[index] == 9 {
                    digits[index] = 0
                    index -= 1
                }
                if index >= 0 {
                    digits[index] += 1
                } else {
                    digits.insert(1, at: 0)
                    exponent += 1
                }
            }
            while digits.last == 0 { digits.removeLast() }
        }
    }

    /// Reads `1234.5`, `0.012` or `1.2e-05`.
    private init(parsing text: String, negative: Bool) {
        self.negative = negative
        var text = text
        (digits, exponent) = text.withUTF8(Self.parse)
    }

    private static func parse(_ utf8: UnsafeBufferPointer<UInt8>) -> (digits: [UInt8], exponent: Int) {
        var digits: [UInt8] = []
        digits.reserveCapacity(17)
        var pointOffset: Int?
        var leadingZeros = 0
        var exponentPart = 0
        var index = 0
        parsing: while index < utf8.count {
            let byte = utf8[index]
            index += 1
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if digits.isEmpty && byte == UInt8(ascii: "0") {
                    leadingZeros += 1
                } else {
                    digits.append(byte - UInt8(ascii: "0"))
                }
            case UInt8(ascii: "."):
                pointOffset = digits.count + leadingZeros
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                let negativeExponent = index < utf8.count && utf8[index] == UInt8(ascii: "-")
                for byte in utf8[index...] where (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                    exponentPart = exponentPart * 10 + Int(byte - UInt8(ascii: "0"))
                }
                if negativeExponent {
                    exponentPart = -exponentPart
                }
                break parsing
            default:
                break
            }
        }
        // Digits before the point, counting leading zeros; the first significant digit sits
        // `leadingZeros` places in.
        let integerDigits = pointOffset ?? (digits.count + leadingZeros)
        while digits.last == 0 { digits.removeLast() }
        return digits.isEmpty ? ([], 0) : (digits, integerDigits - leadingZeros - 1 + exponentPart)
    }

    /// The number rounded half away from zero to `places` decimals, as the decimal digits of
    /// the integer `value × 10^places`.
    func scaledDigits(places: Int) -> [UInt8] {
        let kept = exponent + 1 + places
        guard kept >= 0, !digits.isEmpty else { return [0] }
        var result = Array(digits.prefix(kept))
        result.append(contentsOf: repeatElement(0, count: kept - result.count))
        if kept < digits.count, digits[kept] >= 5 {
            var index = result.count - 1
            while index >= 0 && result[index] == 9 {
                result[index] = 0
                index -= 1
            }
            if index >= 0 {
                result[index] += 1
            } else {
                result.insert(1, at: 0)
            }
        }
        if let first = result.firstIndex(where: { $0 != 0 }) {
            result.removeFirst(first)
        } else {
            result = [0]
        }
        return result
    }
}

extension ByteWriter {
    /// Appends a finite number as an XML `<v>` value: the shortest text that reads back as the
    /// same double (whole numbers without `.0`).
    mutating func appendExactNumber(_ value: Double) {
        if value == value.rounded(), value.magnitude < 1e16 {
            appendDecimal(Int64(value))
        } else {
            append(utf8: value.description)
        }
    }

    /// Appends a finite number as text in the general format, as LibreOffice shows it: whole
    /// numbers below 10^16 in full, others rounded to 15 significant digits, in plain notation
    /// from 1E-9 to below 1E+15 (`1234.5`, `0.000012`), otherwise in scientific notation
    /// (`1.5E+20`, where LibreOffice writes `1.5E+020`).
    mutating func appendGeneral(_ value: Double) {
        if value == value.rounded(), value.magnitude < 1e16 {
            appendDecimal(Int64(value))
            return
        }
        // Most numbers print in plain notation with 15 digits or fewer, exactly as wanted.
        let shortest = value.description
        if Self.isPlainWithFewDigits(shortest) {
            append(utf8: shortest)
            return
        }
        let number = DecimalNumber(value)
        if number.negative {
            append(UInt8(ascii: "-"))
        }
        let digits = number.digits
        if (-9...14).contains(number.exponent) {
            if number.exponent < 0 {
                append(UInt8(ascii: "0"))
                append(UInt8(ascii: "."))
                appendZeros(-number.exponent - 1)
                appendDigits(digits[...])
            } else {
                let integerCount = number.exponent + 1
                appendDigits(digits.prefix(integerCount))
                if digits.count < integerCount {
                    appendZeros(integerCount - digits.count)
                } else if digits.count > integerCount {
                    append(UInt8(ascii: "."))
                    appendDigits(digits[integerCount...])
                }
            }
        } else {
            appendDigits(digits.prefix(1))
            if digits.count > 1 {
                append(UInt8(ascii: "."))
                appendDigits(digits[1...])
            }
            append(number.exponent < 0 ? "E-" : "E+")
            appendPadded(abs(number.exponent), width: 2)
        }
    }

    /// Appends `value` with exactly `places` decimals, rounded half away from zero after
    /// rounding to 15 significant digits, as spreadsheets do (1.005 → `1.01`).
    mutating func appendFixed(_ value: Double, places: Int) {
        if value == value.rounded(), value.magnitude < 1e16 {
            appendDecimal(Int64(value))
            if places > 0 {
                append(UInt8(ascii: "."))
                appendZeros(places)
            }
            return
        }
        let number = DecimalNumber(value)
        let digits = number.scaledDigits(places: places)
        if number.negative && digits != [0] {
            append(UInt8(ascii: "-"))
        }
        if digits.count > places {
            appendDigits(digits.dropLast(places))
        } else {
            append(UInt8(ascii: "0"))
        }
        if places > 0 {
            append(UInt8(ascii: "."))
            if digits.count < places {
                appendZeros(places - digits.count)
            }
            appendDigits(digits.suffix(places))
        }
    }

    /// Whether `text` (a double's description) has no exponent and at most 15 significant digits.
    private static func isPlainWithFewDigits(_ text: String) -> Bool {
        var significant = 0
        var started = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "e"): return false
            case UInt8(ascii: "0"): if started { significant += 1 }
            case UInt8(ascii: "1")...UInt8(ascii: "9"):
                started = true
                significant += 1
            default: break
            }
        }
        return significant <= DecimalNumber.significantDigits
    }

    private mutating func appendDigits(_ digits: ArraySlice<UInt8>) {
        for digit in digits {
            append(UInt8(ascii: "0") + digit)
        }
    }
}
