import Synchronization

/// The live connections of this node, by station id.
///
/// A second connection with the same id replaces the first, whose socket the
/// caller then closes (contract: the old socket is closed).
final class StationRegistry: Sendable {
    private let live = Mutex<[String: LiveStation]>([:])

    /// Registers `station`; returns the connection it replaces, if any.
    func register(_ station: LiveStation) -> LiveStation? {
        live.withLock { connections in
            let previous = connections[station.stationId]
            connections[station.stationId] = station
            return previous
        }
    }

    /// Removes `station` unless a newer connection has replaced it.
    func unregister(_ station: LiveStation) {
        live.withLock { connections in
            if connections[station.stationId] === station { connections[station.stationId] = nil }
        }
    }

    func station(_ id: String) -> LiveStation? { live.withLock { $0[id] } }

    var count: Int { live.withLock { $0.count } }

    /// Every live connection, for shutdown.
    var all: [LiveStation] { live.withLock { Array($0.values) } }
}
