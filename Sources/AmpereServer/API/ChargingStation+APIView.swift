import AmpereDomain
import OCPPCore

extension ChargingStation {
    /// The station as the REST API shows it (schema `ChargingStation`).
    /// The password hash never leaves the server; `hasPassword` tells whether one is set.
    func apiView(connected: Bool, node: String? = nil, connectors: [ConnectorStatus]) -> JSONValue {
        [
            "id": .string(id),
            "vendor": .text(vendor),
            "model": .text(model),
            "serialNumber": .text(serialNumber),
            "firmwareVersion": .text(firmwareVersion),
            "ocppVersion": .text(ocppVersion),
            "connected": .bool(connected),
            "node": .text(node),
            "lastSeen": .timestamp(lastSeen),
            "registrationStatus": .string(registrationStatus.rawValue),
            "hasPassword": .bool(passwordHash != nil),
            "createdAt": .timestamp(createdAt),
            "connectors": .array(connectors.sorted { $0.connectorId < $1.connectorId }.map(\.apiView)),
        ]
    }
}

extension ConnectorStatus {
    /// A connector's state (schema `Connector`); also an item of the status history.
    var apiView: JSONValue {
        [
            "connectorId": .integer(connectorId),
            "evseId": .integer(evseId),
            "status": .string(status),
            "errorCode": .text(errorCode),
            "info": .text(info),
            "vendorId": .text(vendorId),
            "vendorErrorCode": .text(vendorErrorCode),
            "timestamp": .timestamp(reportedAt),
            "updatedAt": .timestamp(updatedAt),
        ]
    }
}
