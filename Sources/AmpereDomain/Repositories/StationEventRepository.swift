import Foundation

/// A report a station sent that has no state of its own to update:
/// DataTransfer, DiagnosticsStatusNotification, FirmwareStatusNotification,
/// SecurityEventNotification and the like.
public struct StationEvent: Sendable, Hashable {
    public var id: Int
    public var stationId: String
    /// The OCPP action that carried it.
    public var kind: String
    /// The payload as JSON text.
    public var payload: String
    public var at: Date

    public init(id: Int = 0, stationId: String, kind: String, payload: String, at: Date) {
        self.id = id
        self.stationId = stationId
        self.kind = kind
        self.payload = payload
        self.at = at
    }
}

/// Station events, kept for operators.
public protocol StationEventRepository: Sendable {
    func record(_ event: StationEvent) async throws
    /// A station's events, newest first, optionally of one kind.
    func events(stationId: String, kind: String?, _ page: PageRequest) async throws -> Page<StationEvent>
}
