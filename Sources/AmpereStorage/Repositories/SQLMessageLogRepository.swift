import AmpereDomain
import Foundation
import OCPPCore
import SQLKit

/// The OCPP message log, in SQL.
struct SQLMessageLogRepository: MessageLogRepository {
    let store: SQLStore
    /// Rows one pruning write deletes, so that pruning never holds the write lock for long.
    static let pruneBatch = 1000

    /// Stores `records` in order; their `id`s are ignored and assigned by the database.
    /// Texts taken from frames are stored as `storable` makes them.
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
                var rows = JSONWriter(capacity: Self.statementBytes + 4096)
                rows.beginArray()
                var end = start
                while end < records.count, end == start || rows.bytes.count < Self.statementBytes {
                    let record = records[end]
                    rows.element()
                    rows.beginArray()
                    rows.string(record.stationId)
                    rows.element()
                    rows.string(record.direction.rawValue)
                    rows.element()
                    rows.int(record.messageType)
                    rows.element()
                    rows.string(Self.storable(record.messageId))
                    rows.element()
                    if let action = record.action { rows.string(Self.storable(action)) } else { rows.null() }
                    rows.element()
                    rows.string(Self.storable(record.frame))
                    rows.element()
                    rows.int(Millis.from(record.at))
                    rows.endArray()
                    end += 1
                }
                rows.endArray()
                // Ordered by position in the array, so ids follow the order of `records`.
                try await db.raw(
                    "INSERT INTO ocpp_messages (station_id, direction, message_type, message_id, action, frame, at) "
                        + traits.selectJSONRows(Self.columnTypes, String(decoding: rows.bytes, as: UTF8.self))
                ).run()
                start = end
                if start < records.count { await pause(.now - began) }
            }
        }
    }

    /// `text` as every database can store it: U+0000 becomes U+FFFD. PostgreSQL's text cannot hold
    /// it, and one frame the database refused would lose the whole statement's frames. (Station ids
    /// never hold one: `ChargePointId`.)
    static func storable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
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
