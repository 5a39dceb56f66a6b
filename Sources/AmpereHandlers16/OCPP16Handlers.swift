import OCPP16
import OCPPCore

/// The OCPP 1.6 central system: every charge-point-initiated action, by
/// feature profile, on one router.
public enum OCPP16Handlers {
    /// A router serving every action a 1.6 charge point sends.
    public static func router() -> OCPPRouter<ChargePointContext> {
        var router = OCPPRouter<ChargePointContext>.ocpp16()
        CoreProfile.register(on: &router)
        FirmwareProfile.register(on: &router)
        SecurityExtension.register(on: &router)
        return router
    }
}

extension OCPPRouter where Context == ChargePointContext {
    /// Registers a handler that only runs for an accepted station: a Pending
    /// or Rejected one gets SecurityError (OCPP 2.0.1 B02.FR.09 says so for
    /// 2.0.1; 1.6 §4.2 forbids those messages before acceptance).
    mutating func onAccepted<A: OCPPAction>(
        _ action: A.Type,
        use handler: @escaping @Sendable (A.Request, ChargePointContext) async throws -> A.Response
    ) {
        on(action) { request, context in
            try context.requireAccepted()
            return try await handler(request, context)
        }
    }

    /// Like `onAccepted`, for a handler that never waits: its CALLs are
    /// answered on the connection's event loop.
    mutating func onAcceptedImmediate<A: OCPPAction>(
        _ action: A.Type,
        use handler: @escaping @Sendable (A.Request, ChargePointContext) throws -> A.Response
    ) {
        onImmediate(action) { request, context in
            try context.requireAccepted()
            return try handler(request, context)
        }
    }
}

extension ChargePointContext {
    /// Throws SecurityError unless the station's BootNotification was accepted.
    func requireAccepted() throws(OCPPCallError) {
        guard registration.current == .accepted else {
            throw OCPPCallError(.securityError, "the charge point is not accepted; send BootNotification first")
        }
    }
}
