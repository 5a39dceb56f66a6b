import Foundation
import Testing

@testable import AmpereStorage

/// JSON strings written by hand: what JSON requires escaped is escaped, and nothing else changes.
@Suite struct JSONTextTests {
    /// `value` through `JSONText.string`, read back by Foundation's parser.
    static func roundTrip(_ value: String) throws -> String {
        var json = JSONText(capacity: 16)
        json.raw("[")
        json.string(value)
        json.raw("]")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [String]
        return try #require(parsed?.first)
    }

    @Test(arguments: [
        "",
        "plain",
        "\"",
        "\\",
        "\"quoted\" at both ends\"",
        "\\\\ two backslashes, then one at the end \\",
        "\n\r\t\u{00}\u{01}\u{1F} controls",
        "\u{7F} is allowed as it is",
        "é€😀 and combining e\u{301}",
        #"[2,"19","MeterValues",{"connectorId":1,"meterValue":[{"sampledValue":[{"value":"1.5"}]}]}]"#,
    ])
    func everyStringComesBackAsItWas(_ value: String) throws {
        #expect(try Self.roundTrip(value) == value)
    }

    @Test func escapesAreTheShortOnesJSONAllows() {
        var json = JSONText(capacity: 16)
        json.string("a\"b\\c\nd\re\tf\u{01}g\u{1F}/é")
        #expect(json.text == #""a\"b\\c\nd\re\tf\u0001g\u001f/é""#)
    }

    @Test func aNULIsEscapedOrReplacedAsAsked() throws {
        var escaped = JSONText(capacity: 16)
        escaped.string("a\u{0}b")
        #expect(escaped.text == #""a\u0000b""#)
        var replaced = JSONText(capacity: 16)
        replaced.string("\u{0}a\u{0}\u{0}b\"\u{0}", nul: .replaced)
        #expect(replaced.text == #""\ufffda\ufffd\ufffdb\"\ufffd""#)
        var optional = JSONText(capacity: 16)
        optional.string(Optional("x\u{0}"), nul: .replaced)
        optional.string(String?.none, nul: .replaced)
        #expect(optional.text == #""x\ufffd"null"#)
    }

    @Test func aLongFrameWithManyQuotesIsWholeAndInOrder() throws {
        // Runs of plain bytes are copied in one go: runs of every length between escapes.
        var value = ""
        for length in 0..<300 { value += String(repeating: "x", count: length % 17) + (length % 3 == 0 ? "\"" : "\\") }
        #expect(try Self.roundTrip(value) == value)
        var json = JSONText(capacity: 0)
        json.string(value)
        let escapes = value.utf8.filter { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }.count
        #expect(json.count == value.utf8.count + escapes + 2)
    }

    @Test func aBridgedStringIsWrittenToo() throws {
        // `withUTF8` may have to copy a string that is not native UTF-8 first.
        let bridged = NSString(string: "bridged \"ü\" text") as String
        #expect(try Self.roundTrip(bridged) == "bridged \"ü\" text")
    }
}
