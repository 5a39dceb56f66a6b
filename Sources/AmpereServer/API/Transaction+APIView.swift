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
