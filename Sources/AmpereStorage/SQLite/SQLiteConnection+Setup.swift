import Logging
import NIOPosix
import SQLiteKit

extension SQLiteConnection {
    /// How long a connection waits for another process's lock before failing.
    static let busyTimeoutMilliseconds = 5000

    /// The page cache of a connection that writes, in KiB (SQLite's default is 2,000).
    static let writerCacheKiB = 65_536

    /// The size a write-ahead log is trimmed to when it starts over: 64 MiB.
    static let journalSizeLimitBytes = 64 << 20

    /// Opens a connection to `path` with the settings every Ampere connection shares.
    static func openConfigured(
        path: String, readOnly: Bool, threadPool: NIOThreadPool, logger: Logger
    ) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: threadPool, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any())
        do {
            let db = connection.sql(queryLogLevel: .trace)
            // Replaces the driver's wait-forever busy handler with a bounded wait.
            try await db.raw("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMilliseconds))").run()
            // Statement journals, and on readers the temporary tables of sorts and MATERIALIZED
            // steps, stay in memory instead of a temporary file.
            try await db.raw("PRAGMA temp_store = MEMORY").run()
            if readOnly {
                try await db.raw("PRAGMA query_only = ON").run()
            } else {
                let mode = try await db.raw("PRAGMA journal_mode = WAL").first()?.value("journal_mode", as: String.self)
                if mode?.lowercased() != "wal" {
                    logger.warning("SQLite is not in WAL mode", metadata: ["journal_mode": "\(mode ?? "?")"])
                }
                // In WAL mode NORMAL survives a killed process (not a power cut) and skips an fsync per commit.
                try await db.raw("PRAGMA synchronous = NORMAL").run()
                // Checkpoints run beside the writes (`SQLiteCheckpointer`), not inside the commit that crosses
                // the threshold: that commit, and every write queued behind it, used to wait for the copy.
                try await db.raw("PRAGMA wal_autocheckpoint = 0").run()
                // When the log starts over (`SQLiteCheckpointer`), the first commit trims the file to this
                // size: a log that grew during a burst does not keep its disk space.
                try await db.raw("PRAGMA journal_size_limit = \(unsafeRaw: String(journalSizeLimitBytes))").run()
                try await db.raw("PRAGMA foreign_keys = ON").run()
                // A group commit touches many index pages; with SQLite's default 2 MiB cache the pager spilled
                // pages mid-transaction (WAL frames and statement-journal writes, ~30 % of the writer's time).
                // The cache grows only as pages are used, so an idle server stays small.
                try await db.raw("PRAGMA cache_size = -\(unsafeRaw: String(writerCacheKiB))").run()
            }
            return connection
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
