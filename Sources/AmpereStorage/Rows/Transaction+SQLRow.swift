import AmpereDomain
import Foundation
import OCPPCore
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
    /// Written with `JSONWriter`: this runs on the writer for every MeterValues, where
    /// `JSONEncoder` was a tenth of the writer's time during a reconnect storm. Keys in sorted
    /// order, absent ones left out.
    static func encode(_ readings: [MeterReading]) -> String {
        var json = JSONWriter(capacity: 96 * readings.count + 2)
        json.beginArray()
        for reading in readings {
            json.element()
            json.beginObject()
            json.key("context")
            json.string(reading.context)
            if let location = reading.location {
                json.key("location")
                json.string(location)
            }
            json.key("measurand")
            json.string(reading.measurand)
            if let phase = reading.phase {
                json.key("phase")
                json.string(phase)
            }
            json.key("unit")
            json.string(reading.unit)
            json.key("value")
            json.string(reading.value)
            json.endObject()
        }
        json.endArray()
        return String(decoding: json.bytes, as: UTF8.self)
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
