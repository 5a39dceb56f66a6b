import Foundation
import OCPPCore
import Testing

@Suite("OCPP dateTime")
struct OCPPDateTimeTests {
    /// 2026-03-14T15:09:26Z.
    static let reference = Date(timeIntervalSince1970: 1_773_500_966)

    func seconds(_ text: String) -> Double? {
        OCPPDateTime.parse(text).map { $0.timeIntervalSince(Self.reference) }
    }

    @Test(arguments: [
        "2026-03-14T15:09:26Z", "2026-03-14T15:09:26z", "2026-03-14t15:09:26Z", "2026-03-14T15:09:26",
        "2026-03-14T17:09:26+02:00", "2026-03-14T17:09:26+0200", "2026-03-14T09:39:26-0530",
        "2026-03-14T09:39:26-05:30", "2026-03-14T15:09:26+00:00", "2026-03-15T01:09:26+10:00",
    ])
    func zonesAndOffsetsAreApplied(text: String) {
        #expect(seconds(text) == 0, "\(text)")
    }

    @Test(arguments: [
        ("2026-03-14T15:09:26Z", 0.0), ("2026-03-14T15:09:26.5Z", 0.5), ("2026-03-14T15:09:26.125Z", 0.125),
        ("2026-03-14T15:09:26.123456Z", 0.123456), ("2026-03-14T15:09:26.123456789Z", 0.123457),
        ("2026-03-14T17:09:26.250+02:00", 0.25),
    ])
    func fractionalSecondsAreKeptToTheMicrosecond(text: String, fraction: Double) throws {
        let value = try #require(seconds(text))
        #expect(abs(value - fraction) < 0.000_000_5, "\(text) → \(value)")
    }

    @Test(arguments: [
        "", "garbage", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z", "2026-04-31T00:00:00Z", "2025-02-29T00:00:00Z", "2026-01-01T25:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:61Z", "2026-01-01", "2026-01-01T00:00Z",
        "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00ZZ", "2026-01-01T00:00:00+2", "2026-01-01T00:00:00+25:00",
        "2026-01-01T00:00:00+02:60", "2026-1-01T00:00:00Z", "2026-01-01T00:00:00Q", " 2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z ", "２０２６-01-01T00:00:00Z",
    ])
    func invalidDatesAreRejected(text: String) {
        #expect(OCPPDateTime.parse(text) == nil, "\(text)")
    }

    @Test func leapYearsAreKnown() {
        #expect(OCPPDateTime.parse("2024-02-29T00:00:00Z") != nil)
        #expect(OCPPDateTime.parse("2000-02-29T00:00:00Z") != nil)
        #expect(OCPPDateTime.parse("1900-02-29T00:00:00Z") == nil)
    }

    @Test(arguments: [
        ("2026-03-14T15:09:26Z", "2026-03-14T15:09:26.000Z"),
        ("2026-03-14T17:09:26.5+02:00", "2026-03-14T15:09:26.500Z"),
        ("2026-03-14T15:09:26.1234Z", "2026-03-14T15:09:26.123Z"),
        ("2026-03-14T15:09:26.9996Z", "2026-03-14T15:09:27.000Z"),
        ("2026-12-31T23:59:59.9999Z", "2027-01-01T00:00:00.000Z"),
        ("2026-01-01T02:00:00+05:30", "2025-12-31T20:30:00.000Z"),
        ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
        ("2000-02-29T12:00:00", "2000-02-29T12:00:00.000Z"),
    ])
    func formatIsCanonicalUTCWithMilliseconds(text: String, expected: String) throws {
        let date = try #require(OCPPDateTime.parse(text))
        let formatted = OCPPDateTime.format(date)
        #expect(formatted == expected)
        // Stable: formatting what was parsed from the output gives the output.
        #expect(OCPPDateTime.format(try #require(OCPPDateTime.parse(formatted))) == formatted)
    }

    @Test func formatAlwaysHasTheSameShape() throws {
        let shape = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
        var state: UInt64 = 42
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Any instant between 1970 and 2100, to the microsecond.
            let date = Date(timeIntervalSince1970: Double(state >> 34) / 1_000 + Double(state & 0xFFF) / 1_000_000)
            let text = OCPPDateTime.format(date)
            #expect(text.wholeMatch(of: shape) != nil, "\(text)")
            let again = try #require(OCPPDateTime.parse(text))
            #expect(abs(again.timeIntervalSince(date)) <= 0.000_5 + 1e-9)
            #expect(OCPPDateTime.format(again) == text)
        }
    }

    @Test func datesRoundTripThroughTheJSONWriterAndReader() throws {
        var writer = JSONWriter()
        writer.date(Self.reference)
        #expect(text(writer.bytes) == #""2026-03-14T15:09:26.000Z""#)
        let read = try JSONReader.withReader(writer.bytes) { (reader: inout JSONReader) throws(OCPPValidationError) in
            try reader.readDate()
        }
        #expect(read == Self.reference)
        let escaped = try JSONReader.withReader(bytes(#""2026-03-14T15:09:26\u005A""#)) {
            (reader: inout JSONReader) throws(OCPPValidationError) in try reader.readDate()
        }
        #expect(escaped == Self.reference)
        do {
            _ = try JSONReader.withReader(bytes(#""2026-02-30T00:00:00Z""#)) {
                (reader: inout JSONReader) throws(OCPPValidationError) in try reader.readDate()
            }
            Issue.record("an impossible date was read")
        } catch {
            #expect(error.code == .propertyConstraintViolation)
        }
    }
}
