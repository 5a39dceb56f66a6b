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
