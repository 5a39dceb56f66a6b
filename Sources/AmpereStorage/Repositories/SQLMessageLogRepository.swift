import AmpereDomain
import Foundation
import SQLKit

/// The OCPP message log, in SQL.
struct SQLMessageLogRepository: MessageLogRepository {
    let store: SQLStore
    /// Rows one pruning write deletes, so that pruning never holds the write lock for long.
    static let pruneBatch = 1000

    /// Stores `records` in order; their `id`s are ignored and assigned by the database.
    /// Texts taken from frames are stored as `storable` makes them.
    /// They go to the database column by column (`ColumnRows`), which costs less than seven
    /// binds per frame; each statement holds about `statementBytes` of frames, so
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
                var stations: [String] = [], directions: [String] = [], types: [Int] = [], ids: [String] = []
                var actions: [String?] = [], frames: [String] = [], times: [Int] = []
                var bytes = 0
                var end = start
                while end < records.count, end == start || bytes < Self.statementBytes {
                    let record = records[end]
                    stations.append(record.stationId)
                    directions.append(record.direction.rawValue)
                    types.append(record.messageType)
                    ids.append(Self.storable(record.messageId))
                    actions.append(record.action.map(Self.storable))
                    frames.append(Self.storable(record.frame))
                    times.append(Millis.from(record.at))
                    bytes += record.frame.utf8.count + 64
                    end += 1
                }
                let rows = ColumnRows([
                    .text(stations), .text(directions), .bigint(types), .text(ids), .optionalText(actions),
                    .text(frames), .bigint(times),
                ])
                // In the order of `records`, so that ids follow it.
                try await db.raw(
                    "INSERT INTO ocpp_messages (station_id, direction, message_type, message_id, action, frame, at) "
                        + traits.select(rows)
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
        var text = text
        // memchr: the log checks every frame, and a byte-by-byte search of each had taken about
        // a quarter of the log writer's thread.
        let holdsNUL = text.withUTF8 { bytes in
            guard let start = bytes.baseAddress else { return false }
            return memchr(start, 0, bytes.count) != nil
        }
        return holdsNUL ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    /// Bytes of frames one INSERT of the log takes, about: some 600 Heartbeat frames, 2 ms of work here.
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
