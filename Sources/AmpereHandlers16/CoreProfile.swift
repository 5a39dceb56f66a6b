import OCPP16
import OCPPCore

/// OCPP 1.6 Core profile: the actions a charge point sends.
enum CoreProfile {
    static func register(on router: inout OCPPRouter<ChargePointContext>) {
        router.on(BootNotification.self, use: BootNotificationHandler.handle)
        router.onAcceptedImmediate(Heartbeat.self) { _, context in
            HeartbeatResponse(currentTime: context.services.now())
        }
        router.onAccepted(StatusNotification.self, use: StatusNotificationHandler.handle)
        router.onAccepted(Authorize.self, use: AuthorizeHandler.handle)
        router.onAccepted(StartTransaction.self, use: StartTransactionHandler.handle)
        router.onAccepted(StopTransaction.self, use: StopTransactionHandler.handle)
        router.onAccepted(MeterValues.self, use: MeterValuesHandler.handle)
        router.onAccepted(DataTransfer.self, use: DataTransferHandler.handle)
    }
}
