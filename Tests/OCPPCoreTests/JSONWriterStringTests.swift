import Foundation
import OCPPCore
import Testing

/// `JSONWriter.string`: what JSON requires escaped is escaped, and nothing else changes. The storage
/// sends every logged frame through it, inside the JSON text of a batch of rows.
@Suite struct JSONWriterStringTests {
    /// `value` through `JSONWriter.string`, read back by Foundation's parser.
    static func roundTrip(_ value: String) throws -> String {
        var json = JSONWriter(capacity: 16)
        json.beginArray()
        json.string(value)
        json.endArray()
        let parsed = try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String]
        return try #require(parsed?.first)
    }

    static func text(_ json: JSONWriter) -> String { String(decoding: json.bytes, as: UTF8.self) }

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
        var json = JSONWriter(capacity: 16)
        json.string("a\"b\\c\nd\re\tf\u{01}g\u{1F}/é")
        #expect(Self.text(json) == #""a\"b\\c\nd\re\tf\u0001g\u001f/é""#)
    }

    @Test func aNULIsEscaped() {
        var escaped = JSONWriter(capacity: 16)
        escaped.string("a\u{0}b")
        #expect(Self.text(escaped) == #""a\u0000b""#)
    }

    @Test func aLongFrameWithManyQuotesIsWholeAndInOrder() throws {
        // Runs of plain bytes are copied in one go: runs of every length between escapes.
        var value = ""
        for length in 0..<300 { value += String(repeating: "x", count: length % 17) + (length % 3 == 0 ? "\"" : "\\") }
        #expect(try Self.roundTrip(value) == value)
        var json = JSONWriter(capacity: 0)
        json.string(value)
        let escapes = value.utf8.filter { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }.count
        #expect(json.bytes.count == value.utf8.count + escapes + 2)
    }

    @Test func aBridgedStringIsWrittenToo() throws {
        // `withUTF8` may have to copy a string that is not native UTF-8 first.
        let bridged = NSString(string: "bridged \"ü\" text") as String
        #expect(try Self.roundTrip(bridged) == "bridged \"ü\" text")
    }
}
