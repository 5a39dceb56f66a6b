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
        /// Reloads of the stations under way, and the changes heard since the oldest of them began.
        var reloads = 0
        var heardDuringReload: [PresenceChange] = []
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
            Self.apply(change, to: &state.stations)
            // A node is heard from before the next lease reload names it.
            if case .up(let presence) = change, state.leases[presence.nodeId] == nil {
                state.leases[presence.nodeId] = leaseIfUnknown
            }
            if state.reloads > 0 { state.heardDuringReload.append(change) }
        }
    }

    /// An older connection's `up` never replaces a newer one; a `down` removes only the session it names.
    private static func apply(_ change: PresenceChange, to stations: inout [String: StationPresence]) {
        switch change {
        case .up(let presence):
            if let known = stations[presence.stationId], known.connectedAt > presence.connectedAt { return }
            stations[presence.stationId] = presence
        case .down(let presence):
            if stations[presence.stationId] == presence { stations[presence.stationId] = nil }
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
        state.withLock { state in state.stations = Self.newest(stations) }
    }

    /// Replaces the stations with what `load` reads from the database, then applies again every
    /// change heard while it read. The snapshot may predate a change whose notification came
    /// first (a station that connected to another node during the read): replacing the map with
    /// it alone lost that station until the next reload, and calls to it through this node got
    /// 409 for as long.
    func reloadStations(_ load: () async throws -> [StationPresence]) async throws {
        state.withLock { $0.reloads += 1 }
        var loaded: [StationPresence]?
        defer {
            state.withLock { state in
                if let loaded {
                    state.stations = Self.newest(loaded)
                    for change in state.heardDuringReload { Self.apply(change, to: &state.stations) }
                }
                state.reloads -= 1
                if state.reloads == 0 { state.heardDuringReload.removeAll() }
            }
        }
        loaded = try await load()
    }

    /// One entry per station: its newest connection.
    private static func newest(_ stations: [StationPresence]) -> [String: StationPresence] {
        Dictionary(stations.map { ($0.stationId, $0) }, uniquingKeysWith: { a, b in
            a.connectedAt >= b.connectedAt ? a : b
        })
    }
}
