import OCPP16
import OCPPCore

/// OCPP 1.6 Firmware Management profile: the status notifications, stored as events.
enum FirmwareProfile {
    static func register(on router: inout OCPPRouter<ChargePointContext>) {
        router.onAccepted(DiagnosticsStatusNotification.self) { request, context in
            try await StationEvents.record(request, kind: DiagnosticsStatusNotification.name, context)
            return DiagnosticsStatusNotificationResponse()
        }
        router.onAccepted(FirmwareStatusNotification.self) { request, context in
            try await StationEvents.record(request, kind: FirmwareStatusNotification.name, context)
            return FirmwareStatusNotificationResponse()
        }
    }
}
