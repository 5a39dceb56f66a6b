import AmpereDomain
import Foundation
import Synchronization

/// This node's picture of the cluster: which node holds which station and
/// until when each node's lease runs. Kept from the bus's events and
/// reloaded now and then, so that questions about it never wait for the database.
///
/// A reload reads a snapshot while events keep coming, and an event may be
/// heard before the read ends though the snapshot predates it. So every event
/// heard while a reload is under way is kept and applied again on top of the
/// snapshot: without it, a station that connected to another node during the
/// read was lost until the next reload (30 s), and calls to it through this
/// node got 409 for as long.
final class ClusterMembership: Sendable {
    let nodeId: String

    /// What this node heard, in order, while a reload was under way.
    private enum Heard {
        case presence(PresenceChange)
        /// A node heard from (an `up`) before a lease reload named it, with its provisional lease.
        case provisionalLease(node: String, until: Date)
        case nodeLeft(String)
    }

    private struct State {
        var stations: [String: StationPresence] = [:]
        var leases: [String: Date] = [:]
        /// Reloads under way (of stations or leases), and what was heard since the oldest began.
        var reloads = 0
        var heard: [Heard] = []

        mutating func hear(_ event: Heard) {
            if reloads > 0 { heard.append(event) }
        }
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

    /// Nodes whose lease runs at `now` (this one included once it has its first), and the
    /// stations those other than this one hold.
    func census(at now: Date) -> (liveNodes: Int, remoteStations: Int) {
        state.withLock { state in
            let live = Set(state.leases.filter { $0.value >= now }.keys)
            let remote = state.stations.values.count { $0.nodeId != nodeId && live.contains($0.nodeId) }
            return (live.count, remote)
        }
    }

    func apply(_ change: PresenceChange, leaseIfUnknown: Date) {
        state.withLock { state in
            let applied = Self.apply(change, to: &state.stations)
            state.hear(.presence(change))
            // A node is heard from before the next lease reload names it (by a connection that counts).
            if applied, case .up(let presence) = change, state.leases[presence.nodeId] == nil {
                state.leases[presence.nodeId] = leaseIfUnknown
                state.hear(.provisionalLease(node: presence.nodeId, until: leaseIfUnknown))
            }
        }
    }

    /// An older connection's `up` never replaces a newer one; a `down` removes only the session it names.
    /// False when the change was stale and changed nothing.
    @discardableResult
    private static func apply(_ change: PresenceChange, to stations: inout [String: StationPresence]) -> Bool {
        switch change {
        case .up(let presence):
            if let known = stations[presence.stationId], known.connectedAt > presence.connectedAt { return false }
            stations[presence.stationId] = presence
        case .down(let presence):
            guard stations[presence.stationId] == presence else { return false }
            stations[presence.stationId] = nil
        }
        return true
    }

    func nodeLeft(_ id: String) {
        state.withLock { state in
            state.leases[id] = nil
            Self.forget(node: id, in: &state.stations)
            state.hear(.nodeLeft(id))
        }
    }

    private static func forget(node: String, in stations: inout [String: StationPresence]) {
        stations = stations.filter { $0.value.nodeId != node }
    }

    /// Replaces the leases with what `load` reads from the database, then applies again what was
    /// heard while it read: a node that left stays gone, and one heard from keeps its provisional lease.
    func reloadLeases(_ load: () async throws -> [String: Date]) async throws {
        try await reload(load) { state, leases in
            state.leases = leases
            for event in state.heard {
                switch event {
                case .provisionalLease(let node, let until):
                    if state.leases[node] == nil { state.leases[node] = until }
                case .nodeLeft(let node):
                    state.leases[node] = nil
                case .presence:
                    break
                }
            }
        }
    }

    /// Replaces the stations with what `load` reads from the database, then applies again every
    /// presence change and departure heard while it read.
    func reloadStations(_ load: () async throws -> [StationPresence]) async throws {
        try await reload(load) { state, stations in
            state.stations = Self.newest(stations)
            for event in state.heard {
                switch event {
                case .presence(let change):
                    Self.apply(change, to: &state.stations)
                case .nodeLeft(let node):
                    Self.forget(node: node, in: &state.stations)
                case .provisionalLease:
                    break
                }
            }
        }
    }

    /// Keeps what is heard while `load` reads, then hands its result and that to `replace`;
    /// a load that fails replaces nothing.
    private func reload<T>(
        _ load: () async throws -> T, replace: (inout State, T) -> Void
    ) async throws {
        state.withLock { $0.reloads += 1 }
        var loaded: T?
        defer {
            state.withLock { state in
                if let loaded { replace(&state, loaded) }
                state.reloads -= 1
                if state.reloads == 0 { state.heard.removeAll() }
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
