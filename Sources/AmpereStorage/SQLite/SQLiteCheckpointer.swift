import Logging
import SQLKit

/// Copies the write-ahead log into the database file on a connection of its
/// own, every `interval`, without blocking the writer (PASSIVE: it copies what
/// no reader still needs and leaves the rest for the next round).
struct SQLiteCheckpointer: Sendable {
    let database: any SQLDatabase
    let logger: Logger
    static let interval: Duration = .seconds(1)

    /// Runs until cancelled.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.interval)
            guard !Task.isCancelled else { return }
            do {
                try await database.raw("PRAGMA wal_checkpoint(PASSIVE)").run()
            } catch is CancellationError {
                // Closing: the final checkpoint runs on the writer.
                return
            } catch {
                logger.warning("a WAL checkpoint failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
