import AmpereDomain
import Foundation
import OCPPCore

/// The REST API's view of connected stations: who is online, and sending
/// them calls.
protocol StationDirectory: Sendable {
    /// True while the station has a live connection.
    func isConnected(_ stationId: String) -> Bool
    /// The OCPP version of the station's live connection.
    func version(of stationId: String) -> OCPPVersion?
    /// Sends `action` with `payload` (validated against the version's schema
    /// first) and returns the CALLRESULT payload.
    ///
    /// Throws `StationCallError.notConnected`, `OCPPValidationError` (bad
    /// payload, nothing sent), `OCPPSessionError.unknownAction`,
    /// `OCPPCallError` (the station answered CALLERROR),
    /// `OCPPSessionError.timeout`, or `OCPPSessionError.invalidResponse`.
    func call(_ stationId: String, action: String, payload: RawJSON, timeout: Duration?) async throws -> RawJSON
    /// Applies a new registration status to a live connection at once.
    func registrationChanged(_ stationId: String, to status: RegistrationStatus)
    /// Closes the station's connection, if any (after deleting it).
    func disconnect(_ stationId: String) async
    /// When this node last heard from the station, if that is newer than
    /// what storage has yet (`lastSeen` is written in batches).
    func lastSeen(of stationId: String) -> Date?
    /// The cluster node holding the station's connection; nil outside a cluster or when it is not connected.
    func node(of stationId: String) -> String?
}

extension StationDirectory {
    func lastSeen(of stationId: String) -> Date? { nil }
    func node(of stationId: String) -> String? { nil }
}

/// A call that could not be sent.
enum StationCallError: Error, Equatable {
    /// No live connection to the station.
    case notConnected
}
