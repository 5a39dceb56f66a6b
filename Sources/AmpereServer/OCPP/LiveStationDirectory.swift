import AmpereDomain
import Foundation
import NIOWebSocket
import OCPPCore

/// The REST API's view of this node's live connections.
struct LiveStationDirectory: StationDirectory {
    let registry: StationRegistry
    let presence: LastSeenWriter

    func lastSeen(of stationId: String) -> Date? { presence.latest(stationId) }

    func isConnected(_ stationId: String) -> Bool { registry.station(stationId) != nil }

    func version(of stationId: String) -> OCPPVersion? { registry.station(stationId)?.version }

    func call(_ stationId: String, action: String, payload: RawJSON, timeout: Duration?) async throws -> RawJSON {
        guard let live = registry.station(stationId) else { throw StationCallError.notConnected }
        do {
            return try await live.session.call(action: action, payload: payload, timeout: timeout)
        } catch OCPPSessionError.closed {
            // The socket closed while the call waited: the station is gone.
            throw StationCallError.notConnected
        }
    }

    func registrationChanged(_ stationId: String, to status: RegistrationStatus) {
        registry.station(stationId)?.registration.current = status
    }

    func disconnect(_ stationId: String) async {
        registry.station(stationId)?.close(.policyViolation, reason: "the charge point was deleted")
    }
}
