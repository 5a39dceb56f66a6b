import AmpereDomain
import SQLKit

extension SQLTransactionRepository {
    func addMeterSamples(_ samples: [MeterSample]) async throws {
        guard !samples.isEmpty else { return }
        let known = meterKeys.snapshot
        let rowsPerStatement = store.traits.rowsPerStatement(columns: 4)
        let learned = try await store.write { db in
            var resolver = MeterKeyResolver(known: known)
            var rows: [SQLQueryString] = []
            rows.reserveCapacity(samples.count)
            for sample in samples {
                let series = try await resolver.series(MeterSeries(sample), on: db)
                let kind = try await resolver.kind(MeterKind(sample), on: db)
                rows.append(
                    "(\(bind: series), \(bind: Millis.from(sample.timestamp)), \(bind: kind), \(bind: sample.value))")
            }
            for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
                let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
                // A value equal to a stored one (same series, time and kind) is a resend: skip it.
                try await db.raw(
                    "INSERT INTO meter_values (series, ts, kind, value) VALUES "
                        + chunk.joined(separator: ", ") + " ON CONFLICT DO NOTHING"
                ).run()
            }
            return resolver.learned
        }
        // Only now are the ids committed.
        meterKeys.learn(learned)
    }

    /// Oldest first; values of the same time in the order their kinds were first stored.
    func meterSamples(transactionId: Int, _ page: PageRequest) async throws -> Page<MeterSample> {
        // Series 0 holds the values sent outside any transaction; no transaction has that id.
        guard transactionId > 0 else { return Page(items: [], total: 0) }
        return try await store.page(
            items: """
                SELECT s.station_id, s.connector_id, v.ts, v.value,
                    k.measurand, k.unit, k.context, k.phase, k.location, k.format
                FROM meter_series s
                JOIN meter_values v ON v.series = s.id
                JOIN meter_kinds k ON k.id = v.kind
                WHERE s.transaction_id = \(bind: transactionId)
                ORDER BY v.ts, v.kind, v.series
                """,
            count: """
                SELECT COUNT(*) AS n FROM meter_series s JOIN meter_values v ON v.series = s.id
                WHERE s.transaction_id = \(bind: transactionId)
                """,
            page
        ) { row in
            MeterSample(
                stationId: try row.value("station_id"), connectorId: try row.value("connector_id"),
                transactionId: transactionId, timestamp: try row.date("ts"), value: try row.value("value"),
                measurand: try row.value("measurand"), unit: try row.value("unit"),
                context: try row.value("context"), phase: Self.absentIfEmpty(try row.value("phase")),
                location: Self.absentIfEmpty(try row.value("location")),
                format: Self.absentIfEmpty(try row.value("format")))
        }
    }

    private static func absentIfEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
}
