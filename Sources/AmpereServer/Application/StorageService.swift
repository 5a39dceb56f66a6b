import AmpereStorage
import Logging
import ServiceLifecycle

/// Keeps the database open while the server runs and closes it last, after
/// everything that writes has stopped.
struct StorageService: Service {
    let database: any StorageDatabase
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try await database.close()
        } catch {
            logger.error("closing the database failed", metadata: ["error": "\(error)"])
        }
    }
}
