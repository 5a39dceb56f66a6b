import AmpereDomain
import Foundation
import OCPPCore

/// The REST API's view of stations across the cluster: this node's own
/// connections first, then the station's holder on another node, reached
/// through the bus with the same answers (and HTTP mapping) as a local call.
struct ClusterStationDirectory: StationDirectory {
    let local: LiveStationDirectory
    let node: ClusterNode

    private func remoteHolder(_ stationId: String) -> StationPresence? {
        guard !local.isConnected(stationId) else { return nil }
        return node.membership.remoteHolder(of: stationId, at: node.now())
    }

    func isConnected(_ stationId: String) -> Bool {
        local.isConnected(stationId) || remoteHolder(stationId) != nil
    }

    func version(of stationId: String) -> OCPPVersion? {
        if let version = local.version(of: stationId) { return version }
        return remoteHolder(stationId).flatMap { holder in
            [OCPPVersion.v16, .v201].first { $0.name == holder.ocppVersion }
        }
    }

    func call(_ stationId: String, action: String, payload: RawJSON, timeout: Duration?) async throws -> RawJSON {
        if local.isConnected(stationId) {
            do {
                return try await local.call(stationId, action: action, payload: payload, timeout: timeout)
            } catch StationCallError.notConnected {
                // It may have moved to another node while the call waited: fall through.
            }
        }
        guard let holder = remoteHolder(stationId) else { throw StationCallError.notConnected }
        return try await node.routedCall(
            to: holder, action: action, payload: payload, timeout: timeout ?? node.defaultCallTimeout)
    }

    func registrationChanged(_ stationId: String, to status: RegistrationStatus) {
        local.registrationChanged(stationId, to: status)
        if let holder = remoteHolder(stationId) {
            let bus = node.bus
            Task { try? await bus.send(.registration(stationId: stationId, status: status), to: holder.nodeId) }
        }
    }

    func disconnect(_ stationId: String) async {
        let holder = remoteHolder(stationId)
        await local.disconnect(stationId)
        if let holder { try? await node.bus.send(.disconnect(stationId: stationId), to: holder.nodeId) }
    }

    func lastSeen(of stationId: String) -> Date? { local.lastSeen(of: stationId) }

    func node(of stationId: String) -> String? {
        local.isConnected(stationId) ? node.nodeId : remoteHolder(stationId)?.nodeId
    }
}
