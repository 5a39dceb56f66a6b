import NIOWebSocket
import Logging
import ServiceLifecycle

/// On graceful shutdown, ends the waits of upgrades still waiting for their
/// admission turn and closes every station's socket with 1001 (going away)
/// before the server stops, so chargers reconnect elsewhere at once.
struct StationShutdownService: Service {
    let registry: StationRegistry
    let admission: ConnectionAdmission?
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        admission?.close()
        let stations = registry.closeRegistration()
        if !stations.isEmpty { logger.info("closing \(stations.count) charge point connections") }
        await withTaskGroup(of: Void.self) { group in
            for station in stations {
                // Waits for each socket to close (the peer's answer, or the close timeout), so
                // that no message is still being handled when storage closes.
                group.addTask {
                    station.close(.goingAway, reason: "the central system is shutting down")
                    await station.closed()
                }
            }
        }
    }
}
