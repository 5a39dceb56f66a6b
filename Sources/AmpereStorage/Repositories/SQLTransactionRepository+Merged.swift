import AmpereDomain
import Foundation
import OCPPCore
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
        let result = Mutex<Transaction?>(nil)

        init(_ start: TransactionStart, _ status: AuthorizationStatus) {
            self.start = start
            self.status = status
        }

        /// The columns of the `transactions_start` unique index.
        var key: StartKey {
            StartKey(
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

        init(stationId: String, connectorId: Int, idTagNorm: String, startedAt: Int, meterStart: Int?) {
            self.stationId = stationId
            self.connectorId = connectorId
            self.idTagNorm = idTagNorm
            self.startedAt = startedAt
            self.meterStart = meterStart
        }

        init(row: any SQLRow) throws {
            self.init(
                stationId: try row.value("station_id"), connectorId: try row.value("connector_id"),
                idTagNorm: try row.value("id_tag_norm"), startedAt: try row.value("started_at"),
                meterStart: try row.value("meter_start"))
        }
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
        var rows = JSONWriter(capacity: writes.count * 120)
        rows.beginArray()
        for write in writes {
            let key = write.key
            rows.element()
            rows.beginArray()
            rows.string(key.stationId)
            rows.element()
            rows.int(key.connectorId)
            rows.element()
            rows.string(write.start.idTag)
            rows.element()
            rows.string(key.idTagNorm)
            rows.element()
            rows.int(write.start.meterStart)
            rows.element()
            rows.int(key.startedAt)
            rows.element()
            rows.string(write.status.rawValue)
            rows.element()
            if let reservation = write.start.reservationId { rows.int(reservation) } else { rows.null() }
            rows.endArray()
        }
        rows.endArray()
        let inserted = try await db.raw(
            """
            INSERT INTO transactions (station_id, connector_id, id_tag, id_tag_norm, meter_start, started_at,
                start_status, reservation_id)
            """
                + traits.selectJSONRows(
                    ["text", "bigint", "text", "text", "bigint", "bigint", "text", "bigint"],
                    String(decoding: rows.bytes, as: UTF8.self))
                + " ON CONFLICT (station_id, connector_id, id_tag_norm, started_at, meter_start) DO NOTHING RETURNING *"
        ).all()
        var found: [StartKey: Transaction] = [:]
        for row in inserted { found[try StartKey(row: row)] = try Transaction(row: row) }
        let resent = writes.filter { found[$0.key] == nil }
        if !resent.isEmpty {
            var keys = JSONWriter(capacity: resent.count * 80)
            keys.beginArray()
            for key in resent.map(\.key) {
                keys.element()
                keys.beginArray()
                keys.string(key.stationId)
                keys.element()
                keys.int(key.connectorId)
                keys.element()
                keys.string(key.idTagNorm)
                keys.element()
                keys.int(key.startedAt)
                keys.element()
                if let meterStart = key.meterStart { keys.int(meterStart) } else { keys.null() }
                keys.endArray()
            }
            keys.endArray()
            let stored = try await db.raw(
                "SELECT * FROM transactions WHERE (station_id, connector_id, id_tag_norm, started_at, meter_start) IN ("
                    + traits.selectJSONRows(
                        ["text", "bigint", "text", "bigint", "bigint"], String(decoding: keys.bytes, as: UTF8.self))
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
        func json(_ writes: [StopWrite], _ fields: (inout JSONWriter, TransactionStop) -> Void) -> String {
            var rows = JSONWriter(capacity: writes.count * 80)
            rows.beginArray()
            for write in writes {
                rows.element()
                rows.beginArray()
                rows.int(write.stop.transactionId)
                rows.element()
                rows.string(write.stop.stationId)
                fields(&rows, write.stop)
                rows.endArray()
            }
            rows.endArray()
            return String(decoding: rows.bytes, as: UTF8.self)
        }
        let parts = traits.selectJSONRows(
            ["bigint", "text", "bigint", "bigint", "text"],
            json(writes) { rows, stop in
                rows.element()
                rows.int(stop.meterStop)
                rows.element()
                rows.int(Millis.from(stop.timestamp))
                rows.element()
                if let reason = stop.reason { rows.string(reason) } else { rows.null() }
            })
        // Of two stops of one transaction in a batch, one updates it and the other reads it back.
        let stopped = try await db.raw(
            "WITH part(part_id, part_station, part_meter, part_at, part_reason) AS (" + parts + ") "
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
            let stored = try await db.raw(
                "WITH part(part_id, part_station) AS ("
                    + traits.selectJSONRows(["bigint", "text"], json(rest) { _, _ in })
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
