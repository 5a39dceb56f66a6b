import AmpereDomain
import Foundation
import SQLKit

/// The OCPP message log, in SQL.
struct SQLMessageLogRepository: MessageLogRepository {
    let store: SQLStore
    /// Rows one pruning write deletes, so that pruning never holds the write lock for long.
    static let pruneBatch = 1000

    /// Stores `records` in order; their `id`s are ignored and assigned by the database.
    /// A NUL character in any of their texts is stored as U+FFFD: PostgreSQL's text cannot hold
    /// it, and one frame that a database refuses would lose the whole statement's frames.
    /// They go to the database as JSON texts (one bound parameter each), which cost less to
    /// build than seven binds per frame; each text holds about `statementBytes` of frames, so
    /// that a second's worth of a busy log never sits in memory several times over, and so
    /// that `pause` comes every couple of milliseconds of work.
    func append(
        _ records: [OCPPMessageRecord], pausingBetweenStatements pause: @escaping @Sendable (Duration) async -> Void
    ) async throws {
        guard !records.isEmpty else { return }
        let traits = store.traits
        try await store.write { db in
            var start = 0
            while start < records.count {
                let began = ContinuousClock.now
                var rows = JSONText(capacity: Self.statementBytes + 4096)
                rows.raw("[")
                var end = start
                while end < records.count, end == start || rows.count < Self.statementBytes {
                    let record = records[end]
                    rows.raw(end > start ? ",[" : "[")
                    rows.string(record.stationId, nul: .replaced)
                    rows.raw(",")
                    rows.string(record.direction.rawValue, nul: .replaced)
                    rows.raw(",")
                    rows.int(record.messageType)
                    rows.raw(",")
                    rows.string(record.messageId, nul: .replaced)
                    rows.raw(",")
                    rows.string(record.action, nul: .replaced)
                    rows.raw(",")
                    rows.string(record.frame, nul: .replaced)
                    rows.raw(",")
                    rows.int(Millis.from(record.at))
                    rows.raw("]")
                    end += 1
                }
                rows.raw("]")
                // Ordered by position in the array, so ids follow the order of `records`.
                try await db.raw(
                    "INSERT INTO ocpp_messages (station_id, direction, message_type, message_id, action, frame, at) "
                        + traits.selectJSONRows(Self.columnTypes, rows.text)
                ).run()
                start = end
                if start < records.count { await pause(.now - began) }
            }
        }
    }

    /// The SQL types of the columns the INSERT fills, in order.
    static let columnTypes = ["text", "text", "integer", "text", "text", "text", "bigint"]

    /// Bytes of JSON one INSERT of the log takes, about: some 600 Heartbeat frames, 2 ms of work here.
    static let statementBytes = 64 * 1024

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
