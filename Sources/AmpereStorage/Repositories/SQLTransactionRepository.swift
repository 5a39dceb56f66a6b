import AmpereDomain
import SQLKit
import Synchronization

/// Charging sessions and their meter values, in SQL.
struct SQLTransactionRepository: TransactionRepository {
    let store: SQLStore
    /// Ids of meter kinds and series already in the database, shared by every write of this storage.
    let meterKeys = MeterKeyCache()

    func start(_ start: TransactionStart, status: AuthorizationStatus) async throws -> Transaction {
        let write = StartWrite(start, status)
        try await store.write(
            singleChange: true, merge: store.mergeWhereRoundTrips("transaction_starts", write, Self.startAll)
        ) { db in
            let transaction = try await Self.startOne(start, status, on: db)
            write.result.withLock { $0 = transaction }
        }
        guard let transaction = write.result.withLock({ $0 }) else {
            throw StorageError(.database, reason: "a committed start left no transaction")
        }
        return transaction
    }

    private static func startOne(
        _ start: TransactionStart, _ status: AuthorizationStatus, on db: any SQLDatabase
    ) async throws -> Transaction {
        let idTagNorm = IdTag.normalized(start.idTag)
        let startedAt = Millis.from(start.timestamp)
        // A resend of an earlier start meets the unique index `transactions_start` and inserts nothing.
        let inserted = try await db.raw(
            """
            INSERT INTO transactions (station_id, connector_id, id_tag, id_tag_norm, meter_start, started_at,
                start_status, reservation_id)
            VALUES (\(bind: start.stationId), \(bind: start.connectorId), \(bind: start.idTag),
                \(bind: idTagNorm), \(bind: start.meterStart), \(bind: startedAt), \(bind: status.rawValue),
                \(bind: start.reservationId))
            ON CONFLICT (station_id, connector_id, id_tag_norm, started_at, meter_start) DO NOTHING
            RETURNING *
            """
        ).first()
        if let inserted { return try Transaction(row: inserted) }
        let existing = try await db.raw(
            """
            SELECT * FROM transactions
            WHERE station_id = \(bind: start.stationId) AND connector_id = \(bind: start.connectorId)
                AND id_tag_norm = \(bind: idTagNorm) AND started_at = \(bind: startedAt)
                AND meter_start = \(bind: start.meterStart)
            """
        ).first()
        guard let existing else {
            throw StorageError(.database, reason: "a start conflicted with a transaction that cannot be found")
        }
        return try Transaction(row: existing)
    }

    /// A transaction of another station counts as unknown: a station stops only its own.
    func stop(_ stop: TransactionStop) async throws -> Transaction? {
        let write = StopWrite(stop)
        try await store.write(
            singleChange: true, merge: store.mergeWhereRoundTrips("transaction_stops", write, Self.stopAll)
        ) { db in
            let transaction = try await Self.stopOne(stop, on: db)
            write.result.withLock { $0 = transaction }
        }
        return write.result.withLock { $0 }
    }

    private static func stopOne(_ stop: TransactionStop, on db: any SQLDatabase) async throws -> Transaction? {
        let stopped = try await db.raw(
            """
            UPDATE transactions SET meter_stop = \(bind: stop.meterStop),
                stopped_at = \(bind: Millis.from(stop.timestamp)), stop_reason = \(bind: stop.reason)
            WHERE id = \(bind: stop.transactionId) AND station_id = \(bind: stop.stationId)
                AND stopped_at IS NULL
            RETURNING *
            """
        ).first()
        if let stopped { return try Transaction(row: stopped) }
        return try await db.raw(
            """
            SELECT * FROM transactions
            WHERE id = \(bind: stop.transactionId) AND station_id = \(bind: stop.stationId)
            """
        ).first().map(Transaction.init(row:))
    }

    func transaction(_ id: Int) async throws -> Transaction? {
        try await store.read { db in
            try await db.raw("SELECT * FROM transactions WHERE id = \(bind: id)").first().map(Transaction.init(row:))
        }
    }

    /// Newest first.
    func transactions(_ filter: TransactionFilter, _ page: PageRequest) async throws -> Page<Transaction> {
        var conditions: [SQLQueryString] = []
        if let stationId = filter.stationId { conditions.append("station_id = \(bind: stationId)") }
        if let active = filter.active { conditions.append(active ? "stopped_at IS NULL" : "stopped_at IS NOT NULL") }
        if let stationTransactionId = filter.stationTransactionId {
            conditions.append("station_tx_id = \(bind: stationTransactionId)")
        }
        let whereClause: SQLQueryString = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try await store.page(
            items: "SELECT * FROM transactions" + whereClause + " ORDER BY id DESC",
            count: "SELECT COUNT(*) AS n FROM transactions" + whereClause,
            page, decode: Transaction.init(row:))
    }

    func activeTransaction(idTag: String) async throws -> Transaction? {
        try await store.read { db in
            try await db.raw(
                """
                SELECT * FROM transactions
                WHERE id_tag_norm = \(bind: IdTag.normalized(idTag)) AND stopped_at IS NULL
                ORDER BY id DESC LIMIT 1
                """
            ).first().map(Transaction.init(row:))
        }
    }
}
