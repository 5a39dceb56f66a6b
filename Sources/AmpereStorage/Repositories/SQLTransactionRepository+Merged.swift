import AmpereDomain
import Foundation
import SQLKit
import Synchronization

/// StartTransactions and StopTransactions queued together, as one statement each where a
/// statement is a round trip (PostgreSQL): after an outage, stations resend their queued
/// starts and stops in a burst, and one INSERT or UPDATE per message queued a round trip each
/// on the one writer.
extension SQLTransactionRepository {
    /// One start of a merged batch; `result` holds its transaction once the batch ran.
    final class StartWrite: Sendable {
        let start: TransactionStart
        let status: AuthorizationStatus
        /// The columns of the `transactions_start` unique index.
        let key: StartKey
        let result = Mutex<Transaction?>(nil)

        init(_ start: TransactionStart, _ status: AuthorizationStatus) {
            self.start = start
            self.status = status
            key = StartKey(
                stationId: start.stationId, connectorId: start.connectorId, idTagNorm: IdTag.normalized(start.idTag),
                startedAt: Millis.from(start.timestamp), meterStart: start.meterStart)
        }
    }

    struct StartKey: Hashable {
        var stationId: String
        var connectorId: Int
        var idTagNorm: String
        var startedAt: Int
        var meterStart: Int?
    }

    /// One stop of a merged batch; `result` holds the transaction once the batch ran (nil: not
    /// this station's, or unknown).
    final class StopWrite: Sendable {
        let stop: TransactionStop
        let result = Mutex<Transaction?>(nil)

        init(_ stop: TransactionStop) { self.stop = stop }
    }

    /// Inserts every start in one statement; a start that is already stored (a resend) gets the
    /// stored transaction, read back in a second one.
    static func startAll(_ writes: [StartWrite], traits: SQLDialectTraits, on db: any SQLDatabase) async throws {
        var rows = JSONRows(capacity: writes.count * 120)
        for write in writes {
            rows.row {
                $0.text(write.key.stationId)
                $0.int(write.key.connectorId)
                $0.text(write.start.idTag)
                $0.text(write.key.idTagNorm)
                $0.int(write.start.meterStart)
                $0.int(write.key.startedAt)
                $0.text(write.status.rawValue)
                $0.int(write.start.reservationId)
            }
        }
        let inserted = try await db.raw(
            """
            INSERT INTO transactions (station_id, connector_id, id_tag, id_tag_norm, meter_start, started_at,
                start_status, reservation_id)
            """
                + traits.select(rows, as: ["text", "bigint", "text", "text", "bigint", "bigint", "text", "bigint"])
                + " ON CONFLICT (station_id, connector_id, id_tag_norm, started_at, meter_start) DO NOTHING RETURNING *"
        ).all()
        var found: [StartKey: Transaction] = [:]
        for row in inserted { found[try StartKey(row: row)] = try Transaction(row: row) }
        let resent = writes.filter { found[$0.key] == nil }
        if !resent.isEmpty {
            var keys = JSONRows(capacity: resent.count * 80)
            for key in resent.map(\.key) {
                keys.row {
                    $0.text(key.stationId)
                    $0.int(key.connectorId)
                    $0.text(key.idTagNorm)
                    $0.int(key.startedAt)
                    $0.int(key.meterStart)
                }
            }
            let stored = try await db.raw(
                "SELECT * FROM transactions WHERE (station_id, connector_id, id_tag_norm, started_at, meter_start) IN ("
                    + traits.select(keys, as: ["text", "bigint", "text", "bigint", "bigint"])
                    + ")"
            ).all()
            for row in stored { found[try StartKey(row: row)] = try Transaction(row: row) }
        }
        for write in writes {
            guard let transaction = found[write.key] else {
                // Each start then runs alone, and only this one fails.
                throw StorageError(.database, reason: "a start conflicted with a transaction that cannot be found")
            }
            write.result.withLock { $0 = transaction }
        }
    }

    /// Stops every transaction in one statement; a stop of a transaction already stopped (a
    /// resend) gets it as stored, read back in a second one.
    static func stopAll(_ writes: [StopWrite], traits: SQLDialectTraits, on db: any SQLDatabase) async throws {
        var rows = JSONRows(capacity: writes.count * 80)
        for write in writes {
            rows.row {
                $0.int(write.stop.transactionId)
                $0.text(write.stop.stationId)
                $0.int(write.stop.meterStop)
                $0.int(Millis.from(write.stop.timestamp))
                $0.text(write.stop.reason)
            }
        }
        // Of two stops of one transaction in a batch, one updates it and the other reads it back.
        let stopped = try await db.raw(
            "WITH part(part_id, part_station, part_meter, part_at, part_reason) AS ("
                + traits.select(rows, as: ["bigint", "text", "bigint", "bigint", "text"]) + ") "
                + """
                UPDATE transactions SET meter_stop = part_meter, stopped_at = part_at, stop_reason = part_reason
                FROM part WHERE transactions.id = part.part_id AND transactions.station_id = part.part_station
                    AND transactions.stopped_at IS NULL
                RETURNING transactions.*
                """
        ).all()
        var found: [Int: Transaction] = [:]
        for row in stopped {
            let transaction = try Transaction(row: row)
            found[transaction.id] = transaction
        }
        let rest = writes.filter { found[$0.stop.transactionId] == nil }
        if !rest.isEmpty {
            var keys = JSONRows(capacity: rest.count * 40)
            for write in rest {
                keys.row {
                    $0.int(write.stop.transactionId)
                    $0.text(write.stop.stationId)
                }
            }
            let stored = try await db.raw(
                "WITH part(part_id, part_station) AS (" + traits.select(keys, as: ["bigint", "text"])
                    + ") SELECT transactions.* FROM transactions JOIN part"
                    + " ON transactions.id = part.part_id AND transactions.station_id = part.part_station"
            ).all()
            for row in stored {
                let transaction = try Transaction(row: row)
                found[transaction.id] = transaction
            }
        }
        for write in writes {
            // Another station's transaction counts as unknown, as when the stop runs alone.
            let transaction = found[write.stop.transactionId].flatMap { $0.stationId == write.stop.stationId ? $0 : nil }
            write.result.withLock { $0 = transaction }
        }
    }
}

extension SQLTransactionRepository.StartKey {
    init(row: any SQLRow) throws {
        self.init(
            stationId: try row.value("station_id"), connectorId: try row.value("connector_id"),
            idTagNorm: try row.value("id_tag_norm"), startedAt: try row.value("started_at"),
            meterStart: try row.value("meter_start"))
    }
}
