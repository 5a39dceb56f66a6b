import AmpereDomain
import Foundation
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
            reservationId: try row.value("reservation_id"),
            consumption: TransactionConsumption(
                energyRegisterWh: try row.value("energy_register_wh"), maxPowerW: try row.value("max_power_w"),
                lastSampleAt: try row.optionalDate("last_sample_at"),
                lastValues: try MeterReadingsColumn.decode(try row.value("last_values"))))
    }
}

/// A transaction's newest sampled values, stored as a JSON array.
enum MeterReadingsColumn {
    static func encode(_ readings: [MeterReading]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(readings), as: UTF8.self)
    }

    static func decode(_ text: String?) throws -> [MeterReading] {
        guard let text else { return [] }
        do {
            return try JSONDecoder().decode([MeterReading].self, from: Data(text.utf8))
        } catch {
            throw StorageError(.unexpectedData, reason: "last_values is not a JSON array of readings: \(error)")
        }
    }
}
