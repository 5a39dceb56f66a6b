import Foundation
import OCPP16

extension SimulatedChargePoint {
    /// The earliest reservation expiry, as an instant of `clock`.
    func reservationExpiry(clock: ContinuousClock) -> ContinuousClock.Instant? {
        let earliest = state.withLock { $0.connectors.compactMap(\.reservation?.expiryDate).min() }
        guard let earliest else { return nil }
        let seconds = max(0, earliest.timeIntervalSinceNow)
        return clock.now + .milliseconds(Int64(min(seconds, 1e9) * 1000))
    }

    /// Ends reservations whose expiryDate has passed (OCPP 1.6 §5.13) and
    /// reports the connectors they freed.
    func expireReservations() {
        let now = Date()
        let freed = state.withLock { state -> [(Int, StatusNotificationRequest.Status)] in
            var freed: [(Int, StatusNotificationRequest.Status)] = []
            for index in state.connectors.indices {
                guard let reservation = state.connectors[index].reservation, reservation.expiryDate <= now else {
                    continue
                }
                state.connectors[index].reservation = nil
                if !state.connectors[index].busy { freed.append((index + 1, state.connectors[index].idleStatus)) }
            }
            return freed
        }
        for (connectorId, status) in freed { report(status, connector: connectorId) }
    }
}
