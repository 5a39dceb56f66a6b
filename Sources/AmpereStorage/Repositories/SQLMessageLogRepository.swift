import AmpereDomain
import Foundation
import SQLKit

/// The OCPP message log, in SQL.
struct SQLMessageLogRepository: MessageLogRepository {
    let store: SQLStore
    /// Rows one pruning write deletes, so that pruning never holds the write lock for long.
    static let pruneBatch = 1000

    /// Stores `records` in order; their `id`s are ignored and assigned by the database.
    func append(_ records: [OCPPMessageRecord]) async throws {
        guard !records.isEmpty else { return }
        let rowsPerStatement = store.traits.rowsPerStatement(columns: 7, cap: 500)
        try await store.write { db in
            for start in stride(from: 0, to: records.count, by: rowsPerStatement) {
                let rows = records[start..<min(start + rowsPerStatement, records.count)].map {
                    record -> SQLQueryString in
                    """
                    (\(bind: record.stationId), \(bind: record.direction.rawValue), \(bind: record.messageType),
                        \(bind: record.messageId), \(bind: record.action), \(bind: record.frame),
                        \(bind: Millis.from(record.at)))
                    """
                }
                try await db.raw(
                    """
                    INSERT INTO ocpp_messages (station_id, direction, message_type, message_id, action, frame, at)
                    VALUES \(rows.joined(separator: ", "))
                    """
                ).run()
            }
        }
    }

    func messages(stationId: String, _ page: PageRequest) async throws -> Page<OCPPMessageRecord> {
        try await store.page(
            items: "SELECT * FROM ocpp_messages WHERE station_id = \(bind: stationId) ORDER BY id DESC",
            count: "SELECT COUNT(*) AS n FROM ocpp_messages WHERE station_id = \(bind: stationId)",
            page, decode: OCPPMessageRecord.init(row:))
    }

    /// Deletes in writes of `pruneBatch` rows, so that other writes go on between them.
    func prune(before cutoff: Date) async throws -> Int {
        let cutoff = Millis.from(cutoff)
        var total = 0
        while true {
            let deleted = try await store.write(singleChange: true) { db in
                try await db.raw(
                    """
                    DELETE FROM ocpp_messages WHERE id IN (
                        SELECT id FROM ocpp_messages WHERE at < \(bind: cutoff) LIMIT \(bind: Self.pruneBatch))
                    RETURNING id
                    """
                ).all().count
            }
            total += deleted
            if deleted < Self.pruneBatch { return total }
        }
    }
}
