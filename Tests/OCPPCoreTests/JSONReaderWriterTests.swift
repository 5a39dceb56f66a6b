import Foundation
import OCPPCore
import Testing

@Suite("JSON reader and writer")
struct JSONReaderWriterTests {
    func decode(_ text: String) throws(OCPPValidationError) -> JSONValue { try JSONValue.decode(json: text) }

    func encode(_ value: JSONValue) -> String { value.jsonString() }

    func readInt(_ text: String) throws(OCPPValidationError) -> Int {
        try JSONReader.withReader(bytes(text)) { (reader: inout JSONReader) throws(OCPPValidationError) in
            let value = try reader.readInt()
            try reader.expectEnd()
            return value
        }
    }

    @Test func valuesRoundTripInCanonicalForm() throws {
        let text = #" { "b" : [ 1 , -2.5 , true , false , null , "s" , { } , [ ] ] , "a" : { "z" : "" } } "#
        let value = try decode(text)
        #expect(
            value == [
                "a": ["z": ""],
                "b": [1, .number(Decimal(string: "-2.5")!), true, false, nil, "s", .object([:]), .array([])],
            ])
        let canonical = #"{"a":{"z":""},"b":[1,-2.5,true,false,null,"s",{},[]]}"#
        #expect(encode(value) == canonical)
        #expect(try decode(canonical) == value)
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        #expect(try decode(#"{"a":1,"a":2}"#) == ["a": 2])
    }

    @Test func escapesAreDecoded() throws {
        let value = try decode(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\ud83d\ude00""#)
        #expect(value == .string("\"\\/\u{8}\u{C}\n\r\tAé€😀"))
        // Raw UTF-8 passes through untouched.
        #expect(try decode("\"é😀\"") == .string("é😀"))
    }

    @Test func aLoneSurrogateBecomesTheReplacementCharacter() throws {
        #expect(try decode(#""\ud83d""#) == .string("\u{FFFD}"))
        #expect(try decode(#""\ude00x""#) == .string("\u{FFFD}x"))
        #expect(try decode(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
    }

    /// U+0000 is no character a charge point or an API client may send (PostgreSQL's text cannot
    /// hold it): a property violation, whether alone, inside a string or as an object's key.
    @Test(arguments: [#""\u0000""#, #""a\u0000b""#, #"{"k":"x\u0000"}"#, #"{"\u0000":1}"#, #"["\u0000"]"#])
    func anEscapedNULIsAPropertyViolation(text: String) {
        do {
            _ = try decode(text)
            Issue.record("\(text) was decoded")
        } catch {
            #expect(error.kind == .property)
            #expect(error.code == .propertyConstraintViolation)
        }
    }

    @Test func otherControlCharactersAndAnEscapedBackslashBeforeU0000AreKept() throws {
        #expect(try decode(#""\u0001\u001f""#) == .string("\u{1}\u{1F}"))
        // `\\u0000` is a backslash followed by the text "u0000".
        #expect(try decode(#""\\u0000""#) == .string("\\u0000"))
    }

    @Test(arguments: [#""\x""#, #""\u12""#, #""\u12G4""#, #""\""#, #""abc"#, #""\"#, "\"\\u\""])
    func badEscapesAndUnterminatedStringsAreSyntaxErrors(text: String) {
        do {
            _ = try decode(text)
            Issue.record("\(text) was decoded")
        } catch {
            #expect(error.kind == .syntax)
        }
        // Skipping checks escapes as strictly as decoding does.
        #expect(throws: OCPPValidationError.self) { try RawJSON(validating: text) }
        #expect(throws: OCPPValidationError.self) { try RawJSON(validating: "[\(text)]") }
    }

    @Test func escapesAreCheckedInSkippedValues() throws {
        for text in [#"{"a":"\x"}"#, #"["\u00G0"]"#, "[\"\\u\u{10}\u{10}\u{10}\u{10}\"]", #"{"\q":1}"#] {
            #expect(throws: OCPPValidationError.self) { try RawJSON(validating: text) }
        }
        _ = try RawJSON(validating: #"["\"\\\/\b\f\n\r\t\u00aF\uD83D\uDE00"]"#)
    }

    @Test func theWriterEscapesWhatItMust() throws {
        let original = "q\"b\\n\n\r\t\u{8}\u{C}\u{1}\u{1F} é😀/"
        let json = encode(.string(original))
        #expect(json == #""q\"b\\n\n\r\t\b\f\u0001\u001f é😀/""#)
        #expect(try decode(json) == .string(original))
    }

    @Test(arguments: [
        ("0", "0"), ("-0", "0"), ("12", "12"), ("-12", "-12"), ("1.5", "1.5"), ("1e3", "1000"), ("1E+3", "1000"),
        ("1.25e-2", "0.0125"), ("-0.001", "-0.001"),
        ("123456789012345678901234567890", "123456789012345678901234567890"),
    ])
    func numbersAreExactDecimals(text: String, expected: String) throws {
        #expect(try decode(text) == .number(Decimal(string: expected)!))
        #expect(try decode("[\(text)]") == [.number(Decimal(string: expected)!)])
    }

    @Test func decimalFractionsStayExact() throws {
        // 0.1 + 0.2 is exactly 0.3 in decimal, not in binary floating point.
        guard case .number(let a) = try decode("0.1"), case .number(let b) = try decode("0.2") else {
            Issue.record("not numbers")
            return
        }
        #expect(a + b == Decimal(string: "0.3")!)
        #expect(encode(try decode("0.30")) == "0.3")
    }

    @Test(arguments: [
        "01", "-01", "1.", "-", ".5", "+1", "1e", "1e+", "--1", "0x10", "NaN", "Infinity", "-Infinity", "1.e3",
        "1 2", "[01]", "[1.]", "[-]", "[.5]",
    ])
    func malformedNumbersAreRejected(text: String) {
        #expect(throws: OCPPValidationError.self) { try decode(text) }
    }

    @Test func integersAreReadExactly() throws {
        #expect(try readInt("0") == 0)
        #expect(try readInt("-42") == -42)
        #expect(try readInt(" 9223372036854775807 ") == Int.max)
        #expect(try readInt("-9223372036854775808") == Int.min)
    }

    @Test(arguments: ["1.0", "1e2", "1E0", "-0.5", "\"12\"", "true", "null", "[1]"])
    func nonIntegersAreTypeErrors(text: String) {
        do {
            _ = try readInt(text)
            Issue.record("\(text) was read as an integer")
        } catch {
            #expect(error.kind == .type, "\(text): \(error)")
            #expect(error.code == .typeConstraintViolation)
        }
    }

    @Test func integersOutOfRangeAreRejected() {
        #expect(throws: OCPPValidationError.self) { try readInt("9223372036854775808") }
        #expect(throws: OCPPValidationError.self) { try readInt("-9223372036854775809") }
        #expect(throws: OCPPValidationError.self) { try readInt("99999999999999999999999") }
    }

    @Test func theWriterWritesIntegersOfEveryMagnitude() throws {
        for value in [0, 1, -1, 9, 10, -10, 1_234_567, Int.max, Int.min] {
            var writer = JSONWriter()
            writer.int(value)
            #expect(text(writer.bytes) == String(value))
            #expect(try readInt(text(writer.bytes)) == value)
        }
    }

    @Test func deepNestingIsRejectedNotFatal() {
        let open = String(repeating: "[", count: 10_000)
        let balanced = open + String(repeating: "]", count: 10_000)
        let objects = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        for text in [open, balanced, objects] {
            #expect(throws: OCPPValidationError.self) { try decode(text) }
            #expect(throws: OCPPValidationError.self) { try RawJSON(validating: text) }
            #expect(throws: OCPPFrameError.self) { try OCPPMessage.parse(#"[2,"id","Echo","# + text + "]") }
        }
    }

    @Test func moderateNestingIsAccepted() throws {
        let text = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
        var value = try decode(text)
        var depth = 0
        while case .array(let items) = value, let first = items.first {
            value = first
            depth += 1
        }
        #expect(depth == 49)
        _ = try RawJSON(validating: text)
    }

    @Test func jsonWhitespaceIsSkippedAndNothingElse() throws {
        #expect(try decode(" \t\r\n{ \"a\" :\n[ 1 ,\t2 ] } \r\n") == ["a": [1, 2]])
        for text in ["\u{C}1", "1\u{B}", "\u{A0}1", "[1,\u{0}2]"] {
            #expect(throws: OCPPValidationError.self) { try decode(text) }
        }
    }

    @Test(arguments: ["{} {}", "1 2", "[1]]", "{}x", "\"a\"\"b\"", "null,", "truex", "[] ["])
    func trailingDataIsRejected(text: String) {
        #expect(throws: OCPPValidationError.self) { try decode(text) }
        #expect(throws: OCPPValidationError.self) { try RawJSON(validating: text) }
    }

    @Test(arguments: ["\"a\u{1}b\"", "\"line\nbreak\"", "\"tab\there\"", "\"\u{1F}\"", "{\"k\u{0}\":1}"])
    func rawControlCharactersInStringsAreRejected(text: String) {
        #expect(throws: OCPPValidationError.self) { try decode(text) }
        #expect(throws: OCPPValidationError.self) { try RawJSON(validating: text) }
    }

    @Test(arguments: [
        "", " ", "tru", "nul", "fals", "True", "[1,]", "[,1]", "[1 2]", "{\"a\":1,}", "{,\"a\":1}", "{\"a\" 1}",
        "{a:1}", "{\"a\":1 \"b\":2}", "{\"a\"}", "{'a':1}", "[", "{", "]", "}", "[1,2", "{\"a\":",
    ])
    func structuralErrorsAreSyntaxErrors(text: String) {
        do {
            _ = try decode(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.kind == .syntax, "\(text): \(error)")
        }
    }

    @Test func validationErrorsNameTheirPath() {
        do {
            _ = try EchoRequest.decode(json: #"{"text":"x","count":"3"}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.pathString == "count")
            #expect(error.code == .typeConstraintViolation)
        }
        do {
            _ = try JSONValue.decode(json: #"{"a":[1,{"b":tru}]}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.pathString == "a[1].b")
        }
    }

    @Test func codableBridgingValidatesToo() throws {
        let decoded = try JSONDecoder().decode(EchoRequest.self, from: Data(#"{"text":"hi","count":2}"#.utf8))
        #expect(decoded == EchoRequest(text: "hi", count: 2))
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode(EchoRequest.self, from: Data(#"{"count":2}"#.utf8))
        }
        let encoded = try JSONEncoder().encode(decoded)
        #expect(try EchoRequest.decode(json: Array(encoded)) == decoded)
    }
}
