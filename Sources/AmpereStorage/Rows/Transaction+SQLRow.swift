import AmpereDomain
import SQLKit

extension Transaction {
    /// A `transactions` row.
    init(row: any SQLRow) throws {
        self.init(
            id: try row.value("id"),
            stationId: try row.value("station_id"),
            connectorId: try row.value("connector_id"),
            evseId: try row.value("evse_id"),
            stationTransactionId: try row.value("station_tx_id"),
            idTag: try row.value("id_tag"),
            meterStart: try row.value("meter_start"),
            meterStop: try row.value("meter_stop"),
            startedAt: try row.date("started_at"),
            stoppedAt: try row.optionalDate("stopped_at"),
            stopReason: try row.value("stop_reason"),
            startStatus: try row.rawValue("start_status", as: AuthorizationStatus.self),
            remoteStartId: try row.value("remote_start_id"),
            reservationId: try row.value("reservation_id"))
    }
}
