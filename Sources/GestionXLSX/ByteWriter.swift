/// An append-only byte buffer with the few encoders the package's formats need.
///
/// Everything the module produces (XML parts, CSV) is written by appending to one buffer, so
/// output time grows linearly with the data. The buffer manages its own memory because
/// `Array.append(contentsOf:)` costs several times more than a copy for the short pieces that
/// XML is made of.
struct ByteWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// The number of bytes written.
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written, as an array.
    consuming func finish() -> [UInt8] {
        let count = count
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.baseAddress!.initialize(from: base, count: count)
            initialized = count
        }
    }

    /// Calls `body` with the bytes written so far.
    func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Forgets the bytes written, keeping the memory.
    mutating func removeAll() {
        count = 0
    }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity {
            grow(to: count + extra)
        }
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed {
            newCapacity *= 2
        }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    // MARK: Appending

    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// Appends `count` ASCII zeros (none if `count` is not positive).
    mutating func appendZeros(_ count: Int) {
        guard count > 0 else { return }
        reserve(count)
        (base + self.count).initialize(repeating: UInt8(ascii: "0"), count: count)
        self.count += count
    }

    mutating func append(_ buffer: UnsafeRawBufferPointer) {
        guard let source = buffer.baseAddress, !buffer.isEmpty else { return }
        reserve(buffer.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: source, byteCount: buffer.count)
        count += buffer.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(utf8 text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    mutating func append(_ other: borrowing ByteWriter) {
        other.withUnsafeBytes { append($0) }
    }

    /// Appends `value` in decimal ASCII digits.
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
        }
        appendDecimal(value.magnitude)
    }

    mutating func appendDecimal(_ value: Int) {
        appendDecimal(Int64(value))
    }

    mutating func appendDecimal(_ value: UInt64) {
        let digitCount = Self.digitCount(value)
        reserve(digitCount)
        var rest = value
        var position = count + digitCount
        repeat {
            position -= 1
            base[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        } while rest > 0
        count += digitCount
    }

    /// Appends a non-negative `value` in decimal with at least `width` digits (zero-padded).
    mutating func appendPadded(_ value: Int, width: Int) {
        let magnitude = UInt64(value)
        appendZeros(width - Self.digitCount(magnitude))
        appendDecimal(magnitude)
    }

    private static func digitCount(_ value: UInt64) -> Int {
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        return count
    }

    /// Appends `text` as XML character data or attribute value: escapes `& < > " '`, writes
    /// carriage returns as `&#13;` (a parser would turn a literal one into a line feed), and
    /// drops the characters XML 1.0 forbids (controls other than tab, LF and CR; U+FFFE; U+FFFF).
    ///
    /// With `escapingOOXMLUnderscores`, text that looks like an OOXML escape (`_x0041_`) gets
    /// its underscore escaped as `_x005F_`, so that spreadsheet applications show it literally.
    mutating func appendXMLEscaped(_ text: String, escapingOOXMLUnderscores: Bool = false) {
        var text = text
        text.withUTF8 { appendXMLEscaped($0, escapingOOXMLUnderscores: escapingOOXMLUnderscores) }
    }

    /// Appends UTF-8 text escaped for XML; see ``appendXMLEscaped(_:escapingOOXMLUnderscores:)``.
    mutating func appendXMLEscaped(_ utf8: UnsafeBufferPointer<UInt8>, escapingOOXMLUnderscores: Bool) {
        // Bytes that need no change are copied in runs.
        var runStart = 0
        var index = 0
        func flush(skipping skipped: Int) {
            append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[runStart..<index]))
            runStart = index + skipped
        }
        while index < utf8.count {
            let byte = utf8[index]
            switch byte {
            case UInt8(ascii: "&"): flush(skipping: 1); append("&amp;")
            case UInt8(ascii: "<"): flush(skipping: 1); append("&lt;")
            case UInt8(ascii: ">"): flush(skipping: 1); append("&gt;")
            case UInt8(ascii: "\""): flush(skipping: 1); append("&quot;")
            case UInt8(ascii: "'"): flush(skipping: 1); append("&apos;")
            case UInt8(ascii: "\r"): flush(skipping: 1); append("&#13;")
            case UInt8(ascii: "\t"), UInt8(ascii: "\n"): break
            case 0..<0x20: flush(skipping: 1)
            case 0xEF where index + 2 < utf8.count && utf8[index + 1] == 0xBF
                && (utf8[index + 2] == 0xBE || utf8[index + 2] == 0xBF):
                flush(skipping: 3)  // U+FFFE or U+FFFF
                index += 2
            case UInt8(ascii: "_") where escapingOOXMLUnderscores && Self.isOOXMLEscape(utf8, at: index):
                flush(skipping: 1)
                append("_x005F_")
            default: break
            }
            index += 1
        }
        flush(skipping: 0)
    }

    /// Whether `utf8[index...]` starts with `_xHHHH_` (H a hexadecimal digit).
    private static func isOOXMLEscape(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + 7 <= utf8.count, utf8[index + 1] == UInt8(ascii: "x") || utf8[index + 1] == UInt8(ascii: "X"),
            utf8[index + 6] == UInt8(ascii: "_")
        else { return false }
        return (index + 2..<index + 6).allSatisfy { position in
            switch utf8[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                UInt8(ascii: "A")...UInt8(ascii: "F"):
                true
            default: false
            }
        }
    }
}

/// Text with the characters XML 1.0 forbids removed (what a cell shows once written).
func removingXMLForbiddenCharacters(_ text: String) -> String {
    func forbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: false
        case 0..<0x20, 0xFFFE, 0xFFFF: true
        default: false
        }
    }
    // Quick scan: forbidden characters start with a control byte or 0xEF (U+FFFE, U+FFFF).
    let suspect = text.utf8.contains { byte in
        byte == 0xEF || (byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D)
    }
    guard suspect, text.unicodeScalars.contains(where: forbidden) else { return text }
    var result = String.UnicodeScalarView()
    result.append(contentsOf: text.unicodeScalars.lazy.filter { !forbidden($0) })
    return String(result)
}
