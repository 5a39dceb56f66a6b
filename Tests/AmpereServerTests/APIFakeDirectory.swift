import AmpereDomain
import OCPPCore
import Synchronization

@testable import AmpereServer

/// A `StationDirectory` whose stations, versions and call outcomes a test sets.
final class APIFakeDirectory: StationDirectory {
    struct SentCall: Sendable {
        var stationId: String
        var action: String
        var payload: String
        var timeout: Duration?
    }

    private struct State {
        var versions: [String: OCPPVersion] = [:]
        var answer: @Sendable (String, RawJSON) throws -> RawJSON = { _, _ in
            RawJSON(Array(#"{"status":"Accepted"}"#.utf8))
        }
        var calls: [SentCall] = []
        var registrationChanges: [(String, RegistrationStatus)] = []
        var disconnects: [String] = []
    }

    private let state = Mutex(State())

    /// Marks the station as connected with `version`, or disconnected with nil.
    func connect(_ stationId: String, _ version: OCPPVersion? = .v16) {
        state.withLock { $0.versions[stationId] = version }
    }

    /// What the next calls answer (or throw), given the action and payload.
    func answer(_ answer: @escaping @Sendable (String, RawJSON) throws -> RawJSON) {
        state.withLock { $0.answer = answer }
    }

    /// Every call is answered with `json`.
    func answer(json: String) {
        answer { _, _ in RawJSON(Array(json.utf8)) }
    }

    /// Every call throws `error`.
    func fail(_ error: any Error & Sendable) {
        answer { _, _ in throw error }
    }

    var calls: [SentCall] { state.withLock { $0.calls } }
    var registrationChanges: [(String, RegistrationStatus)] { state.withLock { $0.registrationChanges } }
    var disconnects: [String] { state.withLock { $0.disconnects } }

    func isConnected(_ stationId: String) -> Bool { state.withLock { $0.versions[stationId] != nil } }

    func version(of stationId: String) -> OCPPVersion? { state.withLock { $0.versions[stationId] } }

    func call(_ stationId: String, action: String, payload: RawJSON, timeout: Duration?) async throws -> RawJSON {
        let answer = state.withLock { state in
            state.calls.append(SentCall(stationId: stationId, action: action, payload: payload.text, timeout: timeout))
            return state.answer
        }
        guard isConnected(stationId) else { throw StationCallError.notConnected }
        return try answer(action, payload)
    }

    func registrationChanged(_ stationId: String, to status: RegistrationStatus) {
        state.withLock { $0.registrationChanges.append((stationId, status)) }
    }

    func disconnect(_ stationId: String) async {
        state.withLock { $0.disconnects.append(stationId) }
    }
}
