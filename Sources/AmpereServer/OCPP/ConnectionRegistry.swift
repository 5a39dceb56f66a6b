import Synchronization

/// A connection the registry can hold: a reference with the id of its station.
protocol RegisteredConnection: AnyObject, Sendable {
    var stationId: String { get }
}

/// The live connections of this node, by station id.
typealias StationRegistry = ConnectionRegistry<LiveStation>

/// Connections by station id.
///
/// A second connection with the same id replaces the first, whose socket the
/// caller then closes (contract: the old socket is closed).
final class ConnectionRegistry<Station: RegisteredConnection>: Sendable {
    private struct State {
        var connections: [String: Station] = [:]
        /// Set once shutdown has taken the list of connections to close.
        var closing = false
    }

    private let state = Mutex(State())

    /// What `register` did.
    enum Registration {
        /// Registered, replacing `previous` (if any), whose socket the caller closes.
        case registered(replacing: Station?)
        /// Not registered: the node is shutting down and the caller closes the new socket.
        case shuttingDown
    }

    func register(_ station: Station) -> Registration {
        state.withLock { state in
            // A connection that arrives after shutdown took its list would never be closed by it.
            guard !state.closing else { return .shuttingDown }
            let previous = state.connections[station.stationId]
            state.connections[station.stationId] = station
            return .registered(replacing: previous)
        }
    }

    /// Removes `station` unless a newer connection has replaced it.
    func unregister(_ station: Station) {
        state.withLock { state in
            if state.connections[station.stationId] === station { state.connections[station.stationId] = nil }
        }
    }

    func station(_ id: String) -> Station? { state.withLock { $0.connections[id] } }

    var count: Int { state.withLock { $0.connections.count } }

    /// Every live connection.
    var all: [Station] { state.withLock { Array($0.connections.values) } }

    /// Every live connection, for shutdown to close; from now on `register` refuses newcomers.
    func closeRegistration() -> [Station] {
        state.withLock { state in
            state.closing = true
            return Array(state.connections.values)
        }
    }
}
