import AmpereDomain
import Foundation
import Testing

@testable import AmpereStorage

/// The text of a row of the message log: what goes in comes out, and a damaged row is an error.
@Suite struct MessageLogBatchTests {
    static let records = [
        OCPPMessageRecord(
            stationId: "CP", direction: .received, messageType: 2, messageId: "1", action: "Heartbeat",
            frame: #"[2,"1","Heartbeat",{}]"#, at: Date(timeIntervalSince1970: 1_700_000_000.123)),
        OCPPMessageRecord(
            stationId: "CP", direction: .sent, messageType: 4, messageId: "ü;,-1", action: nil,
            frame: "x;1,2,3;\n", at: Date(timeIntervalSince1970: -5)),
        OCPPMessageRecord(
            stationId: "CP", direction: .sent, messageType: 3, messageId: "", action: "",
            frame: "", at: Date(timeIntervalSince1970: 0)),
    ]

    @Test func framesComeBackAsTheyWentWithTheirIndexesAndIds() throws {
        let batch = MessageLogBatch(entries: [(0, Self.records[0]), (5, Self.records[1]), (1023, Self.records[2])])
        #expect(batch.firstAt == -5000)
        #expect(batch.lastAt == 1_700_000_000_123)
        let decoded = try MessageLogBatch.decode(batch.encoded(), batch: 7, stationId: "CP")
        #expect(decoded.entries.map(\.index) == [0, 5, 1023])
        #expect(decoded.entries.map(\.record.id) == [7 * 1024, 7 * 1024 + 5, 7 * 1024 + 1023])
        #expect(decoded.entries.map { record in var record = record.record; record.id = 0; return record } == Self.records)
    }

    @Test(arguments: [
        "x", "0,r,2,1,1,-1,5;abc", "0,q,2,1,0,-1,0;", "0,r,2,1,0,-1,0", "1024,r,2,1,0,-1,0;",
        "0,r,2,1,-2,-1,0;", "0,r,2,1,0,-2,0;", "0,r,2,1,99999999999999999999,-1,0;", "0,r,,1,0,-1,0;", "-",
    ])
    func aDamagedRowIsAnError(text: String) {
        #expect(throws: StorageError.self) { try MessageLogBatch.decode(text, batch: 1, stationId: "CP") }
    }

    @Test func anEmptyRowHoldsNoFrames() throws {
        #expect(try MessageLogBatch.decode("", batch: 1, stationId: "CP").entries.isEmpty)
    }
}
