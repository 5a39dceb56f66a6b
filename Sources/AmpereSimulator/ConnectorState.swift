import Foundation
import OCPP16

/// One connector as the charge point sees it.
struct ConnectorState: Sendable {
    /// A reservation held on the connector (OCPP 1.6 §5.13).
    struct Reservation: Sendable, Equatable {
        var id: Int
        var idTag: String
        var parentIdTag: String?
        var expiryDate: Date

        /// True when `idTag` (or its parent) is the one the connector is kept for.
        func admits(_ idTag: String, parentIdTag parent: String? = nil) -> Bool {
            let key = AuthorizationRecord.key
            return key(idTag) == key(self.idTag) || (parent != nil && parentIdTag.map(key) == parent.map(key))
        }
    }

    /// The status last reported.
    var status: StatusNotificationRequest.Status = .available
    /// ChangeAvailability: an inoperative connector starts nothing.
    var operative = true
    /// A ChangeAvailability that waits for the running session to end (answered Scheduled).
    var scheduledOperative: Bool?
    /// A driver session runs, or is about to, on this connector.
    var busy = false
    var reservation: Reservation?
    /// The transaction of the running session, by its local number.
    var localTransaction: Int?
    /// The meter's register, in Wh; it only ever grows.
    var energyWh: Double
    /// The last reading of the running session.
    var reading: MeterReading?

    /// The status of the connector with no session running.
    var idleStatus: StatusNotificationRequest.Status {
        if !operative { return .unavailable }
        return reservation == nil ? .available : .reserved
    }
}
