import AmpereDomain
import OCPP16

/// StatusNotification (OCPP 1.6 §4.9): the connector's current state and its history.
enum StatusNotificationHandler {
    static func handle(_ request: StatusNotificationRequest, _ context: ChargePointContext) async throws
        -> StatusNotificationResponse
    {
        let status = ConnectorStatus(
            stationId: context.stationId, connectorId: request.connectorId, status: request.status.rawValue,
            errorCode: request.errorCode.rawValue, info: request.info, vendorId: request.vendorId,
            vendorErrorCode: request.vendorErrorCode, reportedAt: request.timestamp, updatedAt: context.services.now())
        try await context.storage.stations.updateConnector(status)
        return StatusNotificationResponse()
    }
}
