import OCPP16

/// The Remote Trigger profile (OCPP 1.6 §5.17).
enum TriggerHandlers {
    /// TriggerMessage: Accepted for connector 0…N or none; the message
    /// follows from the activity loop, after this answer.
    static func trigger(_ request: TriggerMessageRequest, _ chargePoint: SimulatedChargePoint)
        -> TriggerMessageResponse
    {
        if let connectorId = request.connectorId,
            connectorId != 0 && !chargePoint.state.withLock({ $0.isConnector(connectorId) })
        {
            return .init(status: .rejected)
        }
        chargePoint.events.post(.trigger(request.requestedMessage, connectorId: request.connectorId))
        return .init(status: .accepted)
    }
}
