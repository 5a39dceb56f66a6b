import AmpereDomain
import Foundation
import Synchronization

/// This node's picture of the cluster: which node holds which station and
/// until when each node's lease runs. Kept from the bus's events and
/// reloaded now and then, so that questions about it never wait for the database.
final class ClusterMembership: Sendable {
    let nodeId: String
    private struct State {
        var stations: [String: StationPresence] = [:]
        var leases: [String: Date] = [:]
    }
    private let state = Mutex(State())

    init(nodeId: String) {
        self.nodeId = nodeId
    }

    /// The other node holding `stationId` whose lease has not run out, if any.
    func remoteHolder(of stationId: String, at now: Date) -> StationPresence? {
        state.withLock { state in
            guard let presence = state.stations[stationId], presence.nodeId != nodeId,
                let lease = state.leases[presence.nodeId], lease >= now
            else { return nil }
            return presence
        }
    }

    func apply(_ change: PresenceChange, leaseIfUnknown: Date) {
        state.withLock { state in
            switch change {
            case .up(let presence):
                if let known = state.stations[presence.stationId], known.connectedAt > presence.connectedAt { return }
                state.stations[presence.stationId] = presence
                // A node is heard from before the next lease reload names it.
                if state.leases[presence.nodeId] == nil { state.leases[presence.nodeId] = leaseIfUnknown }
            case .down(let presence):
                if state.stations[presence.stationId] == presence { state.stations[presence.stationId] = nil }
            }
        }
    }

    func nodeLeft(_ id: String) {
        state.withLock { state in
            state.leases[id] = nil
            state.stations = state.stations.filter { $0.value.nodeId != id }
        }
    }

    func replaceLeases(_ leases: [String: Date]) { state.withLock { $0.leases = leases } }

    func replaceStations(_ stations: [StationPresence]) {
        state.withLock { state in
            state.stations = Dictionary(stations.map { ($0.stationId, $0) }, uniquingKeysWith: { a, b in
                a.connectedAt >= b.connectedAt ? a : b
            })
        }
    }
}
