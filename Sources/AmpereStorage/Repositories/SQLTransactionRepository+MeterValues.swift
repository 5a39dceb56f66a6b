import AmpereDomain
import Foundation
import SQLKit
import Synchronization

extension SQLTransactionRepository {
    /// Every message's values go to the writer as one mergeable write: in a batch, the values of
    /// all the charge points' MeterValues are inserted with multi-row INSERTs and each
    /// transaction's consumption updated once, instead of statements per message.
    func addMeterSamples(_ samples: [MeterSample]) async throws {
        guard !samples.isEmpty else { return }
        let batch = MeterBatch(samples: samples, known: meterKeys.snapshot)
        let insert: @Sendable ([any Sendable], Bool, any SQLDatabase) async throws -> Void = { [self] items, resends, db in
            try await self.insert(items.compactMap { $0 as? MeterBatch }, skippingResends: resends, on: db)
        }
        var merge = WriteMerge(kind: "meter_values", item: batch) { try await insert($0, true, $1) }
        // A plain INSERT: a value stored already (a resend) fails the batch's first pass, and the
        // rerun skips it. PostgreSQL checks each row of `ON CONFLICT DO NOTHING` with an index
        // search of its own before inserting it (speculative insertion): in psql, 100,000 values
        // into a table of 2 million took 390–430 ms that way and 195–220 ms without.
        merge.runAllFirstPass = { try await insert($0, false, $1) }
        try await store.write(merge: merge) { db in try await insert([batch], true, db) }
        // Only now are the ids committed.
        meterKeys.learn(batch.learned.withLock { $0 })
    }

    /// Inserts the values of `batches` and folds them into their transactions' consumption.
    /// The one writer runs this for every charge point's values in turn, so it only copies what
    /// each batch worked out on its caller's task, and looks up only keys that batch could not.
    /// - Parameter skippingResends: a value equal to a stored one is skipped rather than failing the statement.
    private func insert(_ batches: [MeterBatch], skippingResends: Bool, on db: any SQLDatabase) async throws {
        var resolver = MeterKeyResolver(known: meterKeys.snapshot)
        if store.traits.roundTripPerStatement {
            var unknown: [MeterSeries] = []
            for batch in batches {
                for (index, sample) in batch.samples.enumerated() where batch.seriesIds[index] == nil {
                    unknown.append(MeterSeries(sample))
                }
            }
            try await resolver.resolveSeries(unknown, traits: store.traits, on: db)
        }
        let count = batches.reduce(0) { $0 + $1.samples.count }
        var series: [Int] = [], times: [Int] = [], kinds: [Int] = [], values: [String] = []
        series.reserveCapacity(count)
        times.reserveCapacity(count)
        kinds.reserveCapacity(count)
        values.reserveCapacity(count)
        for batch in batches {
            times.append(contentsOf: batch.times)
            for (index, sample) in batch.samples.enumerated() {
                if let id = batch.seriesIds[index] {
                    series.append(id)
                } else {
                    series.append(try await resolver.series(MeterSeries(sample), on: db))
                }
                if let id = batch.kindIds[index] {
                    kinds.append(id)
                } else {
                    kinds.append(try await resolver.kind(MeterKind(sample), on: db))
                }
                values.append(sample.value)
            }
        }
        // A value equal to a stored one (same series, time and kind) is a resend: skip it.
        try await db.raw(
            "INSERT INTO meter_values (series, ts, kind, value) "
                + store.traits.select(ColumnRows([.bigint(series), .bigint(times), .bigint(kinds), .text(values)]))
                + (skippingResends ? " ON CONFLICT DO NOTHING" : "")
        ).run()
        let charging = batches.filter(\.touchesTransactions)
        if !charging.isEmpty {
            let samples = charging.count == 1 ? charging[0].samples : charging.flatMap(\.samples)
            for update in consumptionUpdates(samples) { try await db.raw(update).run() }
        }
        for batch in batches { batch.learned.withLock { $0 = resolver.learned } }
    }

    /// The UPDATEs that fold a batch's contribution into the consumption columns of every
    /// transaction it touches. Each column only moves forward (the highest reading, the newest
    /// time), so a resent or late batch changes nothing it should not, in any order.
    ///
    /// Where a statement is a round trip (PostgreSQL), one UPDATE for them all, from one bound
    /// JSON array of rows: a statement per transaction had capped PostgreSQL at a few hundred
    /// charging stations' MeterValues a second. On SQLite a small UPDATE per transaction costs
    /// less than reading that JSON.
    func consumptionUpdates(_ samples: [MeterSample]) -> [SQLQueryString] {
        let contributions = TransactionConsumption.contributions(of: samples).sorted { $0.key < $1.key }
        guard !contributions.isEmpty else { return [] }
        func number(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }
        guard store.traits.roundTripPerStatement else {
            return contributions.map { id, part in
                Self.consumptionUpdate(
                    energy: "\(bind: number(part.energyRegisterWh))", power: "\(bind: number(part.maxPowerW))",
                    at: "\(bind: part.lastSampleAt.map(Millis.from))",
                    values: "\(bind: MeterReadingsColumn.encode(part.lastValues))")
                    + " WHERE id = \(bind: id)"
            }
        }
        var rows = JSONRows(capacity: contributions.count * 160)
        for (id, part) in contributions {
            rows.row {
                $0.int(id)
                $0.number(part.energyRegisterWh)
                $0.number(part.maxPowerW)
                $0.int(part.lastSampleAt.map(Millis.from))
                $0.text(MeterReadingsColumn.encode(part.lastValues))
            }
        }
        let parts = store.traits.select(
            rows, as: ["bigint", "double precision", "double precision", "bigint", "text"])
        return [
            "WITH part(part_id, part_energy, part_power, part_at, part_values) AS (" + parts + ") "
                + Self.consumptionUpdate(energy: "part_energy", power: "part_power", at: "part_at", values: "part_values")
                + " FROM part WHERE transactions.id = part.part_id"
        ]
    }

    /// `UPDATE transactions SET` each consumption column from one contribution's parts (NULL:
    /// nothing to fold in; JSON has no infinity or NaN, so such a reading folds nothing in either).
    /// Every expression reads the row as it was before this UPDATE.
    private static func consumptionUpdate(
        energy: SQLQueryString, power: SQLQueryString, at: SQLQueryString, values: SQLQueryString
    ) -> SQLQueryString {
        "UPDATE transactions SET energy_register_wh = CASE WHEN " + energy + " IS NOT NULL"
            + " AND (energy_register_wh IS NULL OR energy_register_wh < " + energy + ")"
            + " THEN " + energy + " ELSE energy_register_wh END,"
            + " max_power_w = CASE WHEN " + power + " IS NOT NULL AND (max_power_w IS NULL OR max_power_w < " + power
            + ") THEN " + power + " ELSE max_power_w END,"
            + " last_values = CASE WHEN " + at + " IS NOT NULL AND (last_sample_at IS NULL OR last_sample_at <= " + at
            + ") THEN " + values + " ELSE last_values END,"
            + " last_sample_at = CASE WHEN " + at + " IS NOT NULL AND (last_sample_at IS NULL OR last_sample_at < " + at
            + ") THEN " + at + " ELSE last_sample_at END"
    }

    /// Oldest first; values of the same time in the order their kinds were first stored.
    func meterSamples(transactionId: Int, _ page: PageRequest) async throws -> Page<MeterSample> {
        // Series 0 holds the values sent outside any transaction; no transaction has that id.
        guard transactionId > 0 else { return Page(items: [], total: 0) }
        // The transaction's series first (one per connector it reported values on: nearly always
        // one), then its values by the primary key with their kind's id alone, the kinds from
        // memory: decoding ten columns a value, six of them the kind's, had been most of a page's
        // time on PostgreSQL.
        let series = try await store.read { db in
            try await db.raw(
                "SELECT id, station_id, connector_id FROM meter_series WHERE transaction_id = \(bind: transactionId)"
            ).all().map {
                (
                    id: try $0.value("id", as: Int.self), station: try $0.value("station_id", as: String.self),
                    connector: try $0.value("connector_id", as: Int.self)
                )
            }
        }
        guard !series.isEmpty else { return Page(items: [], total: 0) }
        let list = SQLQueryString(series.map { String($0.id) }.joined(separator: ", "))
        let values = try await store.page(
            items: "SELECT series, ts, kind, value FROM meter_values WHERE series IN (" + list + ") ORDER BY ts, kind, series",
            count: "SELECT COUNT(*) AS n FROM meter_values WHERE series IN (" + list + ")",
            page
        ) { row in
            (
                series: try row.value("series", as: Int.self), ts: try row.value("ts", as: Int.self),
                kind: try row.value("kind", as: Int.self), value: try row.value("value", as: String.self)
            )
        }
        let kinds = try await meterKinds(Set(values.items.map(\.kind)))
        let bySeries = Dictionary(series.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let items = try values.items.map { value in
            guard let owner = bySeries[value.series] else {
                throw StorageError(.database, reason: "a meter value's series is missing")
            }
            return try Self.sample(
                value.value, kind: kinds[value.kind], stationId: owner.station, connectorId: owner.connector,
                transactionId: transactionId, timestamp: Millis.date(value.ts))
        }
        return Page(items: items, total: values.total)
    }

    /// The kinds of `ids`, from memory, reading the ones it does not know yet.
    private func meterKinds(_ ids: Set<Int>) async throws -> [Int: MeterKind] {
        var (known, missing) = meterKeys.kinds(ids)
        guard !missing.isEmpty else { return known }
        let list = SQLQueryString(missing.map(String.init).joined(separator: ", "))
        let read = try await store.read { db in
            try await db.raw(
                "SELECT id, measurand, unit, context, phase, location, format FROM meter_kinds WHERE id IN (" + list + ")"
            ).all().map { row in
                (
                    try row.value("id", as: Int.self),
                    MeterKind(
                        measurand: try row.value("measurand"), unit: try row.value("unit"),
                        context: try row.value("context"), phase: try row.value("phase"),
                        location: try row.value("location"), format: try row.value("format"))
                )
            }
        }
        let byId = Dictionary(read, uniquingKeysWith: { first, _ in first })
        meterKeys.learn(MeterKeyCache.Keys(kinds: Dictionary(byId.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })))
        known.merge(byId) { _, new in new }
        return known
    }

    /// Reads a few keys per connector, however many transactions the station has had: its
    /// connectors, each one's newest transaction and series outside transactions, each such
    /// series' newest time and the values of the newer one at that time, through the keys of
    /// `meter_series` and `meter_values`, in one statement; their kinds from memory.
    func latestMeterSamples(stationId: String) async throws -> [MeterSample] {
        let picks = try await store.read { db in
            // The connectors one key lookup each (a skip scan, which neither database does by
            // itself), then per connector single-row lookups on UNIQUE (station, connector,
            // transaction): reading the station's series themselves had grown with its history.
            // Per connector, whichever of its newest series (the highest transaction id) and its
            // series outside transactions (id 0, the lowest) has the newer values wins, outside
            // on a tie; that time's values are joined by the key (series, ts): one statement in
            // all. Both ends found in transaction order on the UNIQUE key, never by
            // `transaction_id = 0`, which PostgreSQL had looked up through `meter_series_transaction`
            // (every station's series outside transactions) when its statistics saw few. Each
            // step MATERIALIZED, so that its lookups run once and not again inside the next.
            try await db.raw(
                """
                WITH RECURSIVE connectors (connector_id) AS (
                    SELECT MIN(connector_id) FROM meter_series WHERE station_id = \(bind: stationId)
                    UNION ALL
                    SELECT (SELECT MIN(connector_id) FROM meter_series
                        WHERE station_id = \(bind: stationId) AND connector_id > c.connector_id)
                    FROM connectors c WHERE c.connector_id IS NOT NULL),
                candidates AS MATERIALIZED (
                    SELECT connector_id,
                        (SELECT CASE WHEN transaction_id = 0 THEN id END FROM meter_series
                            WHERE station_id = \(bind: stationId) AND connector_id = c.connector_id
                            ORDER BY transaction_id LIMIT 1) AS outside,
                        (SELECT id FROM meter_series
                            WHERE station_id = \(bind: stationId) AND connector_id = c.connector_id
                            ORDER BY transaction_id DESC LIMIT 1) AS newest,
                        (SELECT MAX(transaction_id) FROM meter_series
                            WHERE station_id = \(bind: stationId) AND connector_id = c.connector_id) AS newest_transaction
                    FROM connectors c WHERE connector_id IS NOT NULL),
                times AS MATERIALIZED (
                    SELECT connector_id, outside, newest, newest_transaction,
                        (SELECT MAX(ts) FROM meter_values WHERE series = outside) AS outside_ts,
                        (SELECT MAX(ts) FROM meter_values WHERE series = newest) AS newest_ts
                    FROM candidates),
                picks AS (
                    SELECT connector_id,
                        CASE WHEN newer THEN newest ELSE outside END AS series,
                        CASE WHEN newer THEN newest_transaction ELSE 0 END AS transaction_id,
                        CASE WHEN newer THEN newest_ts ELSE outside_ts END AS ts
                    FROM (SELECT *, (newest_ts IS NOT NULL AND (outside_ts IS NULL OR newest_ts > outside_ts)) AS newer
                        FROM times) t)
                SELECT p.connector_id, p.transaction_id, p.ts, v.kind, v.value
                FROM picks p JOIN meter_values v ON v.series = p.series AND v.ts = p.ts
                ORDER BY p.connector_id, v.kind
                """
            ).all().map { row in
                (
                    connector: try row.value("connector_id", as: Int.self),
                    transaction: try row.value("transaction_id", as: Int.self), ts: try row.value("ts", as: Int.self),
                    kind: try row.value("kind", as: Int.self), value: try row.value("value", as: String.self)
                )
            }
        }
        let kinds = try await meterKinds(Set(picks.map(\.kind)))
        return try picks.map {
            try Self.sample(
                $0.value, kind: kinds[$0.kind], stationId: stationId, connectorId: $0.connector,
                transactionId: $0.transaction > 0 ? $0.transaction : nil, timestamp: Millis.date($0.ts))
        }
    }

    /// A sampled value with its kind.
    static func sample(
        _ value: String, kind: MeterKind?, stationId: String, connectorId: Int, transactionId: Int?, timestamp: Date
    ) throws -> MeterSample {
        guard let kind else { throw StorageError(.database, reason: "a meter value's kind is missing") }
        return MeterSample(
            stationId: stationId, connectorId: connectorId, transactionId: transactionId, timestamp: timestamp,
            value: value, measurand: kind.measurand, unit: kind.unit, context: kind.context,
            phase: absentIfEmpty(kind.phase), location: absentIfEmpty(kind.location), format: absentIfEmpty(kind.format))
    }

    /// Series handled per write: each is a range of the primary key, so a write stays short.
    static let pruneSeriesBatch = 50
    /// Series one read of the pruning walk looks at for aged values.
    static let pruneScanBatch = 1000

    /// Walks the series in id order, deleting each one's values before `cutoff`
    /// by its primary-key range (no index on time alone: it would cost every
    /// stored value bytes for a job that runs once an hour).
    ///
    /// Reads find the series that hold a value older than `cutoff`, one key lookup each, and
    /// only those take a write: after the first prune nearly every series holds none (the
    /// older ones are empty, the newer ones have not aged yet), and every write holds the
    /// writer that charge points' values wait for.
    func pruneMeterSamples(before cutoff: Date) async throws -> Int {
        let cutoff = Millis.from(cutoff)
        var after = -1
        var total = 0
        while true {
            let page = try await store.read { db in
                try await db.raw(
                    """
                    WITH page AS (
                        SELECT id FROM meter_series WHERE id > \(bind: after) ORDER BY id LIMIT \(bind: Self.pruneScanBatch))
                    SELECT id, CASE WHEN EXISTS (
                        SELECT 1 FROM meter_values WHERE series = page.id AND ts < \(bind: cutoff)) THEN 1 ELSE 0 END AS aged
                    FROM page ORDER BY id
                    """
                ).all().map { (id: try $0.value("id", as: Int.self), aged: try $0.value("aged", as: Int.self) == 1) }
            }
            guard let last = page.last else { return total }
            after = last.id
            let aged = page.filter(\.aged).map(\.id)
            for start in stride(from: 0, to: aged.count, by: Self.pruneSeriesBatch) {
                let list = SQLQueryString(
                    aged[start..<min(start + Self.pruneSeriesBatch, aged.count)].map(String.init).joined(separator: ", "))
                total += try await store.write(singleChange: true) { db in
                    let old: SQLQueryString = "series IN (" + list + ") AND ts < \(bind: cutoff)"
                    let count = try await db.raw("SELECT COUNT(*) AS n FROM meter_values WHERE " + old).first()?
                        .value("n", as: Int.self) ?? 0
                    if count > 0 { try await db.raw("DELETE FROM meter_values WHERE " + old).run() }
                    return count
                }
            }
        }
    }

    private static func absentIfEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
}

/// One MeterValues message's samples on their way to the writer, and the meter
/// keys its write resolved (learned by the cache only once committed).
///
/// Made on the caller's task: each sample's time in milliseconds, and the ids of its
/// series and kind where the cache of committed keys already holds them (nil: the writer
/// resolves it), so that the writer, which serves every charge point in turn, has little
/// left to do per value. Ids of committed keys stay valid, however late the write runs.
final class MeterBatch: Sendable {
    let samples: [MeterSample]
    let times: [Int]
    let seriesIds: [Int?]
    let kindIds: [Int?]
    /// Some sample belongs to a transaction, whose consumption the write updates.
    let touchesTransactions: Bool
    let learned = Mutex(MeterKeyCache.Keys())

    init(samples: [MeterSample], known: MeterKeyCache.Keys) {
        self.samples = samples
        times = samples.map { Millis.from($0.timestamp) }
        var seriesIds: [Int?] = []
        var kindIds: [Int?] = []
        seriesIds.reserveCapacity(samples.count)
        kindIds.reserveCapacity(samples.count)
        // A message's values nearly always share one series: look it up once.
        var last: (series: MeterSeries, id: Int?)?
        for sample in samples {
            let series = MeterSeries(sample)
            if let last, last.series == series {
                seriesIds.append(last.id)
            } else {
                let id = known.series[series]
                seriesIds.append(id)
                last = (series, id)
            }
            kindIds.append(known.kinds[MeterKind(sample)])
        }
        self.seriesIds = seriesIds
        self.kindIds = kindIds
        touchesTransactions = samples.contains { ($0.transactionId ?? 0) > 0 }
    }
}
