import CommandLineSupport
import Testing

@Suite struct CSVTests {
    func records(_ text: String, _ separator: Character = ",") -> [CSVRecord] {
        CSV.records(utf8: Array(text.utf8), separator: separator.asciiValue!)
    }

    @Test func fieldsQuotesAndLineEnds() {
        let parsed = records("a,b,c\r\n1,\"dos, tres\",\"con \"\"comillas\"\"\"\n4,,6\r7,8,9")
        #expect(parsed.map(\.fields) == [["a", "b", "c"], ["1", "dos, tres", "con \"comillas\""], ["4", "", "6"], ["7", "8", "9"]])
        #expect(parsed.map(\.line) == [1, 2, 3, 4])
        #expect(parsed.allSatisfy { $0.problem == nil })
    }

    @Test func aLineBreakInsideQuotesKeepsTheLinesOfTheRowsAfterIt() {
        let parsed = records("a,b\n\"uno\ndos\r\ntres\",x\nz,y\n")
        #expect(parsed.map(\.fields) == [["a", "b"], ["uno\ndos\r\ntres", "x"], ["z", "y"]])
        #expect(parsed.map(\.line) == [1, 2, 5])
    }

    @Test func blankLinesAreSkippedButCounted() {
        let parsed = records("a\n\n\nb\n\r\n\"\"\n")
        #expect(parsed.map(\.fields) == [["a"], ["b"], [""]], "a quoted empty field is a record")
        #expect(parsed.map(\.line) == [1, 4, 6])
    }

    @Test func theLastFieldMayBeEmptyOrQuoted() {
        #expect(records("a,").map(\.fields) == [["a", ""]])
        #expect(records("a,\"b\"").map(\.fields) == [["a", "b"]])
        #expect(records("a,\"b\"  \n").map(\.fields) == [["a", "b"]])
        #expect(records("").isEmpty)
    }

    @Test func spacesAroundQuotesAreIgnored() {
        #expect(records("1,  \"Pérez, Ana\"  ,3").map(\.fields) == [["1", "Pérez, Ana", "3"]])
        #expect(records(" a , b ").map(\.fields) == [[" a ", " b "]], "unquoted spaces are the value's (callers trim)")
    }

    @Test func semicolonsAndTabs() {
        #expect(records("a;\"b;c\";d", ";").map(\.fields) == [["a", "b;c", "d"]])
        #expect(records("a\tb,c", "\t").map(\.fields) == [["a", "b,c"]])
    }

    @Test func theSeparatorIsFoundFromTheHeader() {
        #expect(CSV.detectSeparator(utf8: Array("a;b;c\n1,2;3,4".utf8)) == UInt8(ascii: ";"))
        #expect(CSV.detectSeparator(utf8: Array("\"x;y;z\",b,c".utf8)) == UInt8(ascii: ","), "separators inside quotes do not count")
        #expect(CSV.detectSeparator(utf8: Array("a\tb\tc".utf8)) == UInt8(ascii: "\t"))
        #expect(CSV.detectSeparator(utf8: Array("a,b;c\n".utf8)) == UInt8(ascii: ","), "a tie goes to the comma")
        #expect(CSV.detectSeparator(utf8: Array("solo\nx;y;z".utf8)) == nil)
    }

    @Test func aBadRowIsReportedAndTheNextOnesAreStillRead() {
        let parsed = records("a,b,c\n1,Ana \"la\" Pérez,3\n4,\"cinco\"x,6\n7,8,9\n")
        #expect(parsed.count == 4)
        #expect(parsed[1].line == 2)
        #expect(parsed[1].problem?.contains("a quote inside a field") == true)
        #expect(parsed[1].problemField == 1)
        #expect(parsed[2].line == 3)
        #expect(parsed[2].problem == "text after the closing quote of a field")
        #expect(parsed[2].problemField == 1)
        #expect(parsed[3] == CSVRecord(line: 4, fields: ["7", "8", "9"]))
    }

    @Test func anUnclosedQuoteTakesTheRestOfTheFile() {
        let parsed = records("a,b\n1,\"dos\n3,4\n")
        #expect(parsed.count == 2)
        #expect(parsed[1].line == 2)
        #expect(parsed[1].problem?.contains("not closed") == true)
        #expect(parsed[1].problemField == 1)
    }

    @Test func parseThrowsAtTheFirstBadRecord() throws {
        #expect(try CSV.parse("a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
        #expect(throws: CSVError(line: 3, reason: "text after the closing quote of a field")) {
            try CSV.parse("a,b\n1,2\n\"3\"4,5\n")
        }
    }
}
