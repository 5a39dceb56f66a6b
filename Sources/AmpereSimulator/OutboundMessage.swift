import OCPP16

/// A message the charge point sends to the central system through its outbox,
/// in the order it was made.
enum OutboundMessage: Sendable {
    case authorize(AuthorizeRequest)
    case statusNotification(StatusNotificationRequest)
    case firmwareStatus(FirmwareStatusNotificationRequest)
    case diagnosticsStatus(DiagnosticsStatusNotificationRequest)
    /// `local` numbers the transaction until the central system gives its id.
    case startTransaction(local: Int, StartTransactionRequest)
    case meterValues(local: Int?, MeterValuesRequest)
    case stopTransaction(local: Int, StopTransactionRequest)

    /// Transaction messages outlive a lost connection and are delivered in
    /// order once it is back (OCPP 1.6 §4.7, §4.8, §4.10); the others are
    /// dropped, since the charge point reports its state again after booting.
    var isTransactionMessage: Bool {
        switch self {
        case .startTransaction, .stopTransaction: true
        case .meterValues(let local, _): local != nil
        case .authorize, .statusNotification, .firmwareStatus, .diagnosticsStatus: false
        }
    }

    var action: String {
        switch self {
        case .authorize: Authorize.name
        case .statusNotification: StatusNotification.name
        case .firmwareStatus: FirmwareStatusNotification.name
        case .diagnosticsStatus: DiagnosticsStatusNotification.name
        case .startTransaction: StartTransaction.name
        case .meterValues: MeterValues.name
        case .stopTransaction: StopTransaction.name
        }
    }
}

/// What the central system answered, as far as the charge point uses it.
enum OutboundAnswer: Sendable, Equatable {
    case authorized(AuthorizationRecord)
    case started(transactionId: Int, AuthorizationRecord)
    case done
}
