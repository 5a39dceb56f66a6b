import AmpereDomain
import OCPPCore

/// Lookups that several groups of operations share.
extension APIServices {
    /// The stored station, or 404.
    func existingStation(_ id: String) async throws -> ChargingStation {
        guard let station = try await storage.stations.station(id) else {
            throw APIError.notFound("no charging station '\(id)'")
        }
        return station
    }

    /// Throws 404 unless the station exists. One connected to this node or another exists (deleting
    /// a station disconnects it), so only a station that is not connected is looked up: a command
    /// to a live station reads nothing from the database before it is sent (a routed remote start
    /// had spent a tenth of the REST node's CPU reading and decoding the station's row).
    func requireStation(_ id: String) async throws {
        if stations.isConnected(id) { return }
        _ = try await existingStation(id)
    }

    /// The station's view, with its connectors and whether it is online.
    func stationView(_ station: ChargingStation) async throws -> JSONValue {
        var station = station
        if let seen = stations.lastSeen(of: station.id), seen > (station.lastSeen ?? .distantPast) {
            station.lastSeen = seen
        }
        let connectors = try await storage.stations.connectors(of: station.id)
        return station.apiView(
            connected: stations.isConnected(station.id), node: stations.node(of: station.id), connectors: connectors)
    }
}
