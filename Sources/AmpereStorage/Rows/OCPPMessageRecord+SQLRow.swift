import AmpereDomain
import SQLKit

extension OCPPMessageRecord {
    /// An `ocpp_messages` row.
    init(row: any SQLRow) throws {
        self.init(
            id: try row.value("id"),
            stationId: try row.value("station_id"),
            direction: try row.rawValue("direction", as: Direction.self),
            messageType: try row.value("message_type"),
            messageId: try row.value("message_id"),
            action: try row.value("action"),
            frame: try row.value("frame"),
            at: try row.date("at"))
    }
}
