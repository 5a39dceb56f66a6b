import OCPP16
import OCPPCore

/// The table of calls a simulated charge point answers, one handler per
/// OCPP 1.6 action the central system may send, grouped by feature profile.
/// One table serves every charge point: the handlers get theirs as context.
enum ChargePointRouter {
    static let shared: OCPPRouter<SimulatedChargePoint> = {
        var router = OCPPRouter<SimulatedChargePoint>.ocpp16()
        // Core profile.
        on(&router, RemoteStartTransaction.self, CoreProfileHandlers.remoteStart)
        on(&router, RemoteStopTransaction.self, CoreProfileHandlers.remoteStop)
        on(&router, Reset.self, CoreProfileHandlers.reset)
        on(&router, UnlockConnector.self, CoreProfileHandlers.unlockConnector)
        on(&router, ChangeAvailability.self, CoreProfileHandlers.changeAvailability)
        on(&router, ClearCache.self, CoreProfileHandlers.clearCache)
        on(&router, DataTransfer.self, CoreProfileHandlers.dataTransfer)
        on(&router, GetConfiguration.self, ConfigurationHandlers.get)
        on(&router, ChangeConfiguration.self, ConfigurationHandlers.change)
        // Local Auth List Management.
        on(&router, GetLocalListVersion.self, LocalListHandlers.version)
        on(&router, SendLocalList.self, LocalListHandlers.send)
        // Smart Charging.
        on(&router, SetChargingProfile.self, SmartChargingHandlers.set)
        on(&router, ClearChargingProfile.self, SmartChargingHandlers.clear)
        on(&router, GetCompositeSchedule.self, SmartChargingHandlers.compositeSchedule)
        // Reservation.
        on(&router, ReserveNow.self, ReservationHandlers.reserve)
        on(&router, CancelReservation.self, ReservationHandlers.cancel)
        // Firmware Management and Remote Trigger.
        on(&router, UpdateFirmware.self, FirmwareHandlers.updateFirmware)
        on(&router, GetDiagnostics.self, FirmwareHandlers.getDiagnostics)
        on(&router, TriggerMessage.self, TriggerHandlers.trigger)
        return router
    }()

    /// Registers `handler`, counting each call received. Handlers answer at
    /// once: they run inside the receive loop, so any follow-up that talks
    /// to the central system is posted to the charge point's activity loop.
    private static func on<A: OCPPAction>(
        _ router: inout OCPPRouter<SimulatedChargePoint>, _ action: A.Type,
        _ handler: @escaping @Sendable (A.Request, SimulatedChargePoint) -> A.Response
    ) {
        router.on(action) { request, chargePoint in
            chargePoint.stats.callsReceived.add(1, ordering: .relaxed)
            return handler(request, chargePoint)
        }
    }
}
