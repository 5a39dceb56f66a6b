import SQLKit

/// Finds or creates the ids of meter kinds and series during one write,
/// remembering what it learned for `MeterKeyCache` once the write commits.
struct MeterKeyResolver {
    private let known: MeterKeyCache.Keys
    private(set) var learned = MeterKeyCache.Keys()

    init(known: MeterKeyCache.Keys) {
        self.known = known
    }

    mutating func kind(_ kind: MeterKind, on db: any SQLDatabase) async throws -> Int {
        if let id = known.kinds[kind] ?? learned.kinds[kind] { return id }
        let match: SQLQueryString = """
            measurand = \(bind: kind.measurand) AND unit = \(bind: kind.unit) AND context = \(bind: kind.context)
                AND phase = \(bind: kind.phase) AND location = \(bind: kind.location) AND format = \(bind: kind.format)
            """
        let id = try await findOrInsert(
            select: "SELECT id FROM meter_kinds WHERE " + match,
            insert: """
                INSERT INTO meter_kinds (measurand, unit, context, phase, location, format)
                VALUES (\(bind: kind.measurand), \(bind: kind.unit), \(bind: kind.context), \(bind: kind.phase),
                    \(bind: kind.location), \(bind: kind.format))
                ON CONFLICT DO NOTHING
                """,
            on: db)
        learned.kinds[kind] = id
        return id
    }

    mutating func series(_ series: MeterSeries, on db: any SQLDatabase) async throws -> Int {
        if let id = known.series[series] ?? learned.series[series] { return id }
        let id = try await findOrInsert(
            select: """
                SELECT id FROM meter_series WHERE station_id = \(bind: series.stationId)
                    AND connector_id = \(bind: series.connectorId) AND transaction_id = \(bind: series.transactionId)
                """,
            insert: """
                INSERT INTO meter_series (station_id, connector_id, transaction_id)
                VALUES (\(bind: series.stationId), \(bind: series.connectorId), \(bind: series.transactionId))
                ON CONFLICT DO NOTHING
                """,
            on: db)
        learned.series[series] = id
        return id
    }

    /// Finds or creates every series of `all` not known yet with two statements in all, rather than
    /// up to three each: after a burst of StartTransactions every station's first MeterValues
    /// brings a new series, and on PostgreSQL each statement is a round trip on the one writer.
    mutating func resolveSeries(_ all: [MeterSeries], traits: SQLDialectTraits, on db: any SQLDatabase) async throws {
        var seen = Set<MeterSeries>()
        let unknown = all.filter { known.series[$0] == nil && learned.series[$0] == nil && seen.insert($0).inserted }
        guard unknown.count > 1 else { return }
        var rows = JSONRows(capacity: unknown.count * 40)
        for series in unknown {
            rows.row {
                $0.text(series.stationId)
                $0.int(series.connectorId)
                $0.int(series.transactionId)
            }
        }
        let parts = traits.select(rows, as: ["text", "bigint", "bigint"])
        try await db.raw(
            "INSERT INTO meter_series (station_id, connector_id, transaction_id) " + parts + " ON CONFLICT DO NOTHING"
        ).run()
        let found = try await db.raw(
            "SELECT id, station_id, connector_id, transaction_id FROM meter_series"
                + " WHERE (station_id, connector_id, transaction_id) IN (" + parts + ")"
        ).all()
        for row in found {
            let series = MeterSeries(
                stationId: try row.value("station_id"), connectorId: try row.value("connector_id"),
                transactionId: try row.value("transaction_id"))
            learned.series[series] = try row.value("id", as: Int.self)
        }
    }

    /// Select, insert if absent, select again: safe even with another writer on the same database.
    private func findOrInsert(select: SQLQueryString, insert: SQLQueryString, on db: any SQLDatabase) async throws
        -> Int
    {
        if let id = try await db.raw(select).first()?.value("id", as: Int.self) { return id }
        try await db.raw(insert).run()
        guard let id = try await db.raw(select).first()?.value("id", as: Int.self) else {
            throw StorageError(.database, reason: "a meter key is missing right after its insert")
        }
        return id
    }
}
