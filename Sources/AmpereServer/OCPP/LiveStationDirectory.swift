import AmpereDomain
import Foundation
import NIOWebSocket
import OCPPCore

/// The REST API's view of this node's live connections.
struct LiveStationDirectory: StationDirectory {
    let registry: StationRegistry
    let presence: LastSeenWriter
    let metrics: OCPPMetrics

    func lastSeen(of stationId: String) -> Date? { presence.latest(stationId) }

    func isConnected(_ stationId: String) -> Bool { registry.station(stationId) != nil }

    func version(of stationId: String) -> OCPPVersion? { registry.station(stationId)?.version }

    func call(_ stationId: String, action: String, payload: RawJSON, timeout: Duration?) async throws -> RawJSON {
        guard let live = registry.station(stationId) else { throw StationCallError.notConnected }
        let started = ContinuousClock.now
        do {
            let answer = try await live.session.call(action: action, payload: payload, timeout: timeout)
            metrics.callSent(action, outcome: .result, after: .now - started)
            return answer
        } catch {
            if let outcome = OCPPMetrics.CallOutcome(failure: error) {
                metrics.callSent(action, outcome: outcome, after: .now - started)
            }
            // The socket closed while the call waited: the station is gone.
            if case OCPPSessionError.closed = error { throw StationCallError.notConnected }
            throw error
        }
    }

    func registrationChanged(_ stationId: String, to status: RegistrationStatus) {
        registry.station(stationId)?.registration.current = status
    }

    func disconnect(_ stationId: String) async {
        registry.station(stationId)?.close(.policyViolation, reason: "the charge point was deleted")
    }
}
