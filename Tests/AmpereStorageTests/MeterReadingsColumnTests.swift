import AmpereDomain
import Foundation
import Testing

@testable import AmpereStorage

/// A transaction's newest values, written byte by byte, read back with `JSONDecoder`.
@Suite struct MeterReadingsColumnTests {
    static let readings = [
        MeterReading(measurand: "Energy.Active.Import.Register", value: "1234.5", unit: "Wh", context: "Sample.Periodic"),
        MeterReading(
            measurand: "Current.Import", value: "16.0", unit: "A", context: "Sample.Periodic", phase: "L1",
            location: "Outlet"),
        MeterReading(measurand: "Voltage", value: "230", unit: "V", context: "Trigger", phase: "L1-N"),
        MeterReading(measurand: "Power/\"Quoted\"\\", value: "\n\t\r\u{01}é€😀", unit: "", context: "Other", location: "EV"),
    ]

    @Test func readingsComeBackAsTheyWere() throws {
        let text = MeterReadingsColumn.encode(Self.readings)
        #expect(try MeterReadingsColumn.decode(text) == Self.readings)
        #expect(MeterReadingsColumn.encode([]) == "[]")
        #expect(try MeterReadingsColumn.decode(MeterReadingsColumn.encode([])) == [])
    }

    @Test func theTextIsWhatJSONEncoderWrites() throws {
        // The column's earlier writer: sorted keys, absent values left out. It also escapes `/`, which
        // JSON allows either way; the byte-by-byte writer does not.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(Self.readings), as: UTF8.self)
        #expect(MeterReadingsColumn.encode(Self.readings) == expected)
    }
}
