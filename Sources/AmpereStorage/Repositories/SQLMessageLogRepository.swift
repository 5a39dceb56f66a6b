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
    /// Each station's frames go as runs (`MessageLogBatch`) of at most `batchBytes` of frames and
    /// `MessageLogBatch.maxFrames` frames, a row each, bound as they are (no JSON of rows: most of
    /// a row's bytes are frames, which JSON would escape and the database unescape); each
    /// statement holds at most `statementBytes` of frames (or one run), so that a second's worth of a busy log
    /// never sits in memory several times over, and so that `pause` comes every couple of
    /// milliseconds of work.
    func append(
        _ records: [OCPPMessageRecord], pausingBetweenStatements pause: @escaping @Sendable (Duration) async -> Void
    ) async throws {
        let runs = Self.runs(of: records)
        guard !runs.isEmpty else { return }
        try await store.write { db in
            var start = 0
            while start < runs.count {
                let began = ContinuousClock.now
                var bytes = 0
                var end = start
                var values: [SQLQueryString] = []
                func fits(_ run: Run) -> Bool {
                    bytes + run.bytes <= Self.statementBytes && end - start < Self.statementRows
                }
                while end < runs.count, end == start || fits(runs[end]) {
                    let run = runs[end]
                    // A frame's index is its place in the run; the run's frames may lie far apart in `records`.
                    let batch = MessageLogBatch(
                        entries: run.indices.enumerated().map { ($0.offset, Self.storable(records[$0.element])) })
                    values.append(
                        "(\(bind: records[run.indices[0]].stationId), \(bind: batch.firstAt), \(bind: batch.lastAt), "
                            + "\(bind: run.count), \(bind: batch.encoded()))")
                    bytes += run.bytes
                    end += 1
                }
                // In the order of `records`' runs, so that a station's ids follow it.
                try await db.raw(
                    "INSERT INTO ocpp_message_batches (station_id, first_at, last_at, frame_count, frames) VALUES "
                        + values.joined(separator: ", ")
                ).run()
                start = end
                if start < runs.count { await pause(.now - began) }
            }
        }
    }

    /// A run of one station's frames: where they are in the batch being written, and their bytes.
    struct Run {
        var indices: [Int] = []
        var bytes = 0
        var count: Int { indices.count }
    }

    /// `records` as runs of a station's frames, in the order each run's first frame came: each
    /// station's frames in their order, cut where a run would pass `batchBytes` or `maxFrames`.
    static func runs(of records: [OCPPMessageRecord]) -> [Run] {
        var runs: [Run] = []
        var open: [String: Int] = [:]
        for (index, record) in records.enumerated() {
            let size = record.frame.utf8.count + record.messageId.utf8.count + 32
            if let at = open[record.stationId], runs[at].count < MessageLogBatch.maxFrames,
                runs[at].bytes + size <= batchBytes
            {
                runs[at].indices.append(index)
                runs[at].bytes += size
            } else {
                open[record.stationId] = runs.count
                runs.append(Run(indices: [index], bytes: size))
            }
        }
        return runs
    }

    /// `record` with its texts as `storable` makes them.
    static func storable(_ record: OCPPMessageRecord) -> OCPPMessageRecord {
        var record = record
        record.messageId = storable(record.messageId)
        record.action = record.action.map(storable)
        record.frame = storable(record.frame)
        return record
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

    /// Bytes of frames one INSERT of the log takes at most, unless one run alone holds more.
    static let statementBytes = 64 * 1024
    /// Rows one INSERT of the log takes at most (five parameters each).
    static let statementRows = 200
    /// Bytes of frames one row holds, about: a station's second of busy MeterValues.
    static let batchBytes = 64 * 1024

    /// A page of frames, newest first, found from the station's rows' frame counts in the index:
    /// its rows, newest first, are walked (a row holds a frame at least, so `offset + limit` rows
    /// are enough) until the frames counted reach the page's end, and only the rows holding the
    /// page are read. A station with a week of a row a second (604,800 rows) on SQLite: the
    /// newest page's keys take under a millisecond (a running sum over every row took 283 ms);
    /// the total, a sum over the station's index entries, 30 ms.
    func messages(stationId: String, _ page: PageRequest) async throws -> Page<OCPPMessageRecord> {
        try await store.read { db in
            let total =
                try await db.raw(
                    """
                    SELECT COALESCE(SUM(frame_count), 0) AS n FROM ocpp_message_batches
                    WHERE station_id = \(bind: stationId)
                    """
                ).first()?.value("n", as: Int.self) ?? 0
            guard page.limit > 0, page.offset < total else { return Page(items: [], total: total) }
            let end = page.offset + page.limit
            let keys = try await db.raw(
                """
                SELECT id, frame_count FROM ocpp_message_batches WHERE station_id = \(bind: stationId)
                ORDER BY id DESC LIMIT \(bind: end)
                """
            ).all()
            // Frames newer than each row that holds part of the page, by row id.
            var newer: [Int: Int] = [:]
            var counted = 0
            for key in keys where counted < end {
                let count = try key.value("frame_count", as: Int.self)
                if counted + count > page.offset { newer[try key.value("id", as: Int.self)] = counted }
                counted += count
            }
            guard !newer.isEmpty else { return Page(items: [], total: total) }
            let list = SQLQueryString(newer.keys.map(String.init).joined(separator: ", "))
            let rows = try await db.raw(
                "SELECT id, frames FROM ocpp_message_batches WHERE id IN (" + list + ") ORDER BY id DESC"
            ).all()
            var items: [OCPPMessageRecord] = []
            for row in rows {
                let id = try row.value("id", as: Int.self)
                let batch = try MessageLogBatch.decode(
                    try row.value("frames", as: String.self), batch: id, stationId: stationId)
                let newestFirst = batch.entries.reversed().map(\.record)
                items += newestFirst.dropFirst(max(0, page.offset - (newer[id] ?? 0))).prefix(page.limit - items.count)
            }
            return Page(items: items, total: total)
        }
    }

    /// Deletes the rows whose frames are all older than `cutoff` in writes of `pruneBatch` rows,
    /// so that other writes go on between them; then takes the older frames out of the rows that
    /// hold frames from both sides of it (each station's run being written at the cutoff, about).
    func prune(before cutoff: Date) async throws -> Int {
        try await carryOverPerFrameLog()
        let cutoff = Millis.from(cutoff)
        var total = 0
        while true {
            let deleted = try await store.write(singleChange: true) { db in
                try await db.raw(
                    """
                    DELETE FROM ocpp_message_batches WHERE id IN (
                        SELECT id FROM ocpp_message_batches
                        WHERE first_at < \(bind: cutoff) AND last_at < \(bind: cutoff) LIMIT \(bind: Self.pruneBatch))
                    RETURNING frame_count
                    """
                ).all().map { try $0.value("frame_count", as: Int.self) }
            }
            total += deleted.reduce(0, +)
            if deleted.count < Self.pruneBatch { break }
        }
        var after = 0
        while true {
            let from = after
            let (rows, removed, last) = try await store.write { db in
                let rows = try await db.raw(
                    """
                    SELECT id, station_id, frames FROM ocpp_message_batches
                    WHERE first_at < \(bind: cutoff) AND id > \(bind: from) ORDER BY id LIMIT \(bind: Self.trimBatch)
                    """
                ).all()
                var removed = 0, last = from
                for row in rows {
                    let id = try row.value("id", as: Int.self)
                    last = id
                    var batch = try MessageLogBatch.decode(
                        try row.value("frames", as: String.self), batch: id,
                        stationId: try row.value("station_id", as: String.self))
                    let before = batch.entries.count
                    batch.entries.removeAll { Millis.from($0.record.at) < cutoff }
                    // Unless another node trimmed the row meanwhile (with a retention of its own): then
                    // the row is left as that node made it.
                    let unchanged: SQLQueryString =
                        " WHERE id = \(bind: id) AND frame_count = \(bind: before) RETURNING id"
                    let changed: [any SQLRow]
                    if batch.entries.isEmpty {
                        changed = try await db.raw("DELETE FROM ocpp_message_batches" + unchanged).all()
                    } else {
                        changed = try await db.raw(
                            """
                            UPDATE ocpp_message_batches
                            SET first_at = \(bind: batch.firstAt), last_at = \(bind: batch.lastAt),
                                frame_count = \(bind: batch.entries.count), frames = \(bind: batch.encoded())
                            """ + unchanged
                        ).all()
                    }
                    if !changed.isEmpty { removed += before - batch.entries.count }
                }
                return (rows.count, removed, last)
            }
            total += removed
            after = last
            if rows < Self.trimBatch { return total }
        }
    }

    /// Frames that nodes of an older version logged a row each since the upgrade (into the table
    /// `Schema.messageLogBatches` left in place where nodes share the database) join the runs.
    private func carryOverPerFrameLog() async throws {
        let traits = store.traits
        guard !traits.messageLogInOwnFile else { return }
        try await store.write(singleChange: true) { db in
            try await db.raw(SQLQueryString(Schema.movePerFrameLog(traits))).run()
        }
    }

    /// Rows one write of a prune trims at most.
    static let trimBatch = 200
}
