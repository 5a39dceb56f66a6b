import Foundation

/// One OCPP frame in the message log.
public struct OCPPMessageRecord: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable, Codable {
        /// From the charge point to the central system.
        case received
        /// From the central system to the charge point.
        case sent
    }

    public var id: Int
    public var stationId: String
    public var direction: Direction
    /// 2 CALL, 3 CALLRESULT, 4 CALLERROR.
    public var messageType: Int
    public var messageId: String
    /// The action; for answers, the action of the call they answer when known.
    public var action: String?
    /// The whole frame as text.
    public var frame: String
    public var at: Date

    public init(
        id: Int = 0, stationId: String, direction: Direction, messageType: Int, messageId: String,
        action: String?, frame: String, at: Date
    ) {
        self.id = id
        self.stationId = stationId
        self.direction = direction
        self.messageType = messageType
        self.messageId = messageId
        self.action = action
        self.frame = frame
        self.at = at
    }
}
