import CommandLineSupport
import Testing

@Suite struct TextDecodingTests {
    func text(_ decoded: DecodedText) -> String { String(decoding: decoded.utf8, as: UTF8.self) }

    @Test func utf8IsReadAsItIs() throws {
        let bytes = Array("Número de crédito;Delegación\n".utf8)
        let decoded = try TextDecoding.decode(bytes)
        #expect(decoded.encoding == .utf8)
        #expect(decoded.utf8 == bytes)
    }

    @Test func theByteOrderMarkIsDropped() throws {
        let decoded = try TextDecoding.decode([0xEF, 0xBB, 0xBF] + Array("Acreditado".utf8))
        #expect(decoded.encoding == .utf8WithBOM)
        #expect(text(decoded) == "Acreditado")
    }

    @Test func bytesThatAreNotUTF8AreWindows1252() throws {
        // "Delegación" and "Señor" as Excel saves "CSV" in Mexico: one byte per letter.
        let decoded = try TextDecoding.decode([0x44, 0x65, 0x6C, 0x65, 0x67, 0x61, 0x63, 0x69, 0xF3, 0x6E, 0x3B, 0x53, 0x65, 0xF1, 0x6F, 0x72])
        #expect(decoded.encoding == .windows1252)
        #expect(text(decoded) == "Delegación;Señor")
    }

    @Test func windows1252HasItsOwnCharactersIn0x80To0x9F() {
        let out = TextDecoding.windows1252([0x80, 0x93, 0x41, 0x94, 0x96, 0x85, 0x8A, 0x9F, 0xA0, 0xFF])
        #expect(String(decoding: out, as: UTF8.self) == "€“A”–…ŠŸ\u{A0}ÿ")
        // The five bytes it leaves undefined keep their number, as Windows reads them.
        let undefined = TextDecoding.windows1252([0x81, 0x8D, 0x8F, 0x90, 0x9D])
        #expect(String(decoding: undefined, as: UTF8.self).unicodeScalars.map(\.value) == [0x81, 0x8D, 0x8F, 0x90, 0x9D])
    }

    @Test func malformedUTF8IsFound() {
        #expect(TextDecoding.firstInvalidUTF8(Array("añó €😀".utf8)) == nil)
        #expect(TextDecoding.firstInvalidUTF8([0x41, 0xC0, 0xAF]) == 1, "an overlong form")
        #expect(TextDecoding.firstInvalidUTF8([0x41, 0x42, 0xED, 0xA0, 0x80]) == 2, "a surrogate")
        #expect(TextDecoding.firstInvalidUTF8([0xF4, 0x90, 0x80, 0x80]) == 0, "above U+10FFFF")
        #expect(TextDecoding.firstInvalidUTF8([0x41, 0xE2, 0x82]) == 1, "cut short")
        #expect(TextDecoding.firstInvalidUTF8([0xC3]) == 0)
        #expect(TextDecoding.firstInvalidUTF8([0x80]) == 0, "a lone continuation byte")
    }

    @Test func aFileThatSaysUTF8ButIsNotIsRefusedWithItsLine() {
        #expect(throws: TextDecodingError(line: 3, reason: "the file says it is UTF-8 but holds bytes that are not UTF-8")) {
            try TextDecoding.decode([0xEF, 0xBB, 0xBF] + Array("a\nb\n".utf8) + [0xE9])
        }
    }

    @Test func utf16WithItsByteOrderMarkIsRead() throws {
        let little = try TextDecoding.decode([0xFF, 0xFE, 0x41, 0x00, 0xF3, 0x00, 0x3D, 0xD8, 0x00, 0xDE])
        #expect(little.encoding == .utf16)
        #expect(text(little) == "Aó😀")
        let big = try TextDecoding.decode([0xFE, 0xFF, 0x00, 0x41, 0x00, 0xF3])
        #expect(text(big) == "Aó")
        #expect(throws: TextDecodingError.self) { try TextDecoding.decode([0xFF, 0xFE, 0x41]) }
        #expect(throws: TextDecodingError(line: 2, reason: "the file says it is UTF-16 but holds an unpaired surrogate")) {
            try TextDecoding.decode([0xFF, 0xFE, 0x41, 0x00, 0x0A, 0x00, 0x00, 0xD8, 0x41, 0x00])
        }
    }
}

@Suite struct TextKeyTests {
    @Test func caseAccentsSpacesAndPunctuationDoNotMatter() {
        #expect(TextKey.fold("Número de Crédito") == "numerodecredito")
        #expect(TextKey.fold("numeroCredito") == "numerocredito")
        #expect(TextKey.fold("  FECHA DE ASIGNACIÓN ") == "fechadeasignacion")
        #expect(TextKey.fold("susceptible de re-mediación") == TextKey.fold("Susceptible de Remediacion"))
        #expect(TextKey.fold("Acompañamiento") == "acompanamiento")
        #expect(TextKey.fold("No. de crédito") == "nodecredito")
        #expect(TextKey.fold("2 convenios") == "2convenios")
        #expect(TextKey.fold("") == "")
    }
}
