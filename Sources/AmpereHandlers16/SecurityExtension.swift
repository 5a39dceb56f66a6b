import OCPP16
import OCPPCore

/// The OCPP 1.6 Security Whitepaper's charge-point-initiated actions, stored as events.
enum SecurityExtension {
    static func register(on router: inout OCPPRouter<ChargePointContext>) {
        router.onAccepted(SecurityEventNotification.self) { request, context in
            try await StationEvents.record(request, kind: SecurityEventNotification.name, context)
            return SecurityEventNotificationResponse()
        }
        router.onAccepted(LogStatusNotification.self) { request, context in
            try await StationEvents.record(request, kind: LogStatusNotification.name, context)
            return LogStatusNotificationResponse()
        }
        router.onAccepted(SignedFirmwareStatusNotification.self) { request, context in
            try await StationEvents.record(request, kind: SignedFirmwareStatusNotification.name, context)
            return SignedFirmwareStatusNotificationResponse()
        }
        // No certificate authority is configured: a CSR is kept and refused.
        router.onAccepted(SignCertificate.self) { request, context in
            try await StationEvents.record(request, kind: SignCertificate.name, context)
            return SignCertificateResponse(status: .rejected)
        }
    }
}
