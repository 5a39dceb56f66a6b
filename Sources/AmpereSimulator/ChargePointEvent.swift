import OCPP16

/// Work for the charge point's activity loop, posted by OCPP handlers (which
/// must answer at once) and by the public controls.
enum ChargePointEvent: Sendable {
    /// A driver is at a connector already claimed for the session.
    case driverArrives(DriverSession.Plan)
    case reset(ResetRequest.ResetType)
    case trigger(TriggerMessageRequest.RequestedMessage, connectorId: Int?)
    case updateFirmware(UpdateFirmwareRequest)
    case uploadDiagnostics(GetDiagnosticsRequest)
}

/// What a running session is told.
enum SessionEvent: Sendable {
    /// End the transaction for this reason.
    case stop(StopTransactionRequest.Reason)
    /// The central system refused the tag in its StartTransaction answer.
    case deauthorized
    /// A charging profile changed: the power follows it at once.
    case limitChanged
}
