import Foundation

/// Charge points and the state of their connectors.
public protocol StationRepository: Sendable {
    func station(_ id: String) async throws -> ChargingStation?
    func stations(_ page: PageRequest) async throws -> Page<ChargingStation>
    /// Stores a new station; false when one with that id exists.
    func create(_ station: ChargingStation) async throws -> Bool
    /// The station, created with `registrationStatus` accepted (and `ocppVersion`) if it is new
    /// (open registration).
    func ensure(_ id: String, ocppVersion: String?, at: Date) async throws -> ChargingStation
    /// Replaces the operator-set fields: registration status and password hash.
    func updateSettings(_ id: String, registrationStatus: RegistrationStatus, passwordHash: String??) async throws -> Bool
    func delete(_ id: String) async throws -> Bool
    /// Stores what a BootNotification reported.
    func recordBoot(_ id: String, report: BootReport, at: Date) async throws
    /// Notes that the station was heard from.
    func recordSeen(_ id: String, ocppVersion: String?, at: Date) async throws
    /// Notes when each of many stations was last heard from, in one write.
    func recordSeen(_ times: [String: Date]) async throws
    /// Stores a connector's new state as current and in its history.
    func updateConnector(_ status: ConnectorStatus) async throws
    /// Current state of every connector that reported, by connector id.
    func connectors(of stationId: String) async throws -> [ConnectorStatus]
    /// Status history, newest first.
    func connectorHistory(of stationId: String, _ page: PageRequest) async throws -> Page<ConnectorStatus>
}

extension StationRepository {
    /// The station, created accepted with no OCPP version yet if it is new.
    public func ensure(_ id: String, at: Date) async throws -> ChargingStation {
        try await ensure(id, ocppVersion: nil, at: at)
    }
}
