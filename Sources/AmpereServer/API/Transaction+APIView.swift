import AmpereDomain
import OCPPCore

extension Transaction {
    /// The transaction as the REST API shows it (schema `Transaction`).
    var apiView: JSONValue {
        [
            "id": .integer(id),
            "chargingStationId": .string(stationId),
            "connectorId": .integer(connectorId),
            "evseId": .integer(evseId),
            "stationTransactionId": .text(stationTransactionId),
            "idTag": .string(idTag),
            "meterStart": .integer(meterStart),
            "meterStop": .integer(meterStop),
            "energyWh": .integer(energyWh),
            "startedAt": .timestamp(startedAt),
            "stoppedAt": .timestamp(stoppedAt),
            "stopReason": .text(stopReason),
            "remoteStartId": .integer(remoteStartId),
            "consumption": consumptionView,
        ]
    }

    /// Schema `Consumption`: kept as meter values arrive, so reading it scans nothing.
    var consumptionView: JSONValue {
        let register = consumption.energyRegisterWh
        let end = stoppedAt ?? consumption.lastSampleAt
        return [
            "energyRegisterWh": .double(register),
            "energyWh": .double(register.flatMap { register in meterStart.map { register - Double($0) } }),
            "maxPowerW": .double(consumption.maxPowerW),
            "lastSampleAt": .timestamp(consumption.lastSampleAt),
            "durationSeconds": .double(end.map { max(0, $0.timeIntervalSince(startedAt)) }),
            "lastValues": .array(consumption.lastValues.map(\.apiView)),
        ]
    }
}

extension MeterSample {
    /// Schema `StationMeterValue`: a sampled value with its connector and transaction.
    var stationView: JSONValue {
        guard case .object(var fields) = apiView else { return apiView }
        fields["connectorId"] = .integer(connectorId)
        fields["transactionId"] = .integer(transactionId)
        return .object(fields)
    }
}

extension MeterReading {
    /// Schema `MeterReading`.
    var apiView: JSONValue {
        [
            "measurand": .string(measurand),
            "value": .string(value),
            "unit": .string(unit),
            "context": .string(context),
            "phase": .text(phase),
            "location": .text(location),
        ]
    }
}

extension MeterSample {
    /// One sampled value (schema `MeterValue`), with OCPP's defaults filled in.
    var apiView: JSONValue {
        [
            "timestamp": .timestamp(timestamp),
            "value": .string(value),
            "measurand": .string(measurand),
            "unit": .string(unit),
            "context": .string(context),
            "phase": .text(phase),
            "location": .text(location),
            "format": .text(format),
        ]
    }
}
