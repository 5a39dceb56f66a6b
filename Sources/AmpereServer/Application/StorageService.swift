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
            // In a task of its own: when another service fails (the port taken, say), the group
            // cancels this one, and a cancelled close gave up at once and left the database open.
            try await Task { try await database.close() }.value
        } catch {
            logger.error("closing the database failed", metadata: ["error": "\(error)"])
        }
    }
}
