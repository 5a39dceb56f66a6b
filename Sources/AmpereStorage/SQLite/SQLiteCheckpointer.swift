import Logging
import SQLKit

/// Copies the write-ahead log into the database file on a connection of its
/// own, every `interval`, without blocking the writer (PASSIVE: it copies what
/// no reader still needs and leaves the rest for the next round).
///
/// SQLite starts the log over from its beginning only when a write begins
/// with every frame already copied. Under steady writes that never happens
/// by itself: the writer commits again while each checkpoint runs, and the
/// log grows without bound (1.5 GB beside a 45 MB database after 15 s of
/// MeterValues at full speed). So once the log holds `restartFrames`
/// frames, the remainder is copied on the writer between two of its
/// batches, when nothing is written: the next write then starts the log
/// over, and `journal_size_limit` trims the file.
struct SQLiteCheckpointer: Sendable {
    let database: any SQLDatabase
    let writer: GroupCommitWriter
    let logger: Logger
    /// Past this many frames in the log (8,192 frames of 4 KiB pages: about 32 MiB), the
    /// remainder is copied on the writer so that the log starts over.
    var restartFrames = 8_192
    static let interval: Duration = .seconds(1)

    /// Runs until cancelled.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.interval)
            guard !Task.isCancelled else { return }
            do {
                try await round()
            } catch is CancellationError {
                // Closing: the final checkpoint runs on the writer.
                return
            } catch let error as StorageError where error.code == .closed {
                // The writer finished first: closing, as above.
                return
            } catch {
                logger.warning("a WAL checkpoint failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One checkpoint beside the writer, then, when the log has grown past
    /// `restartFrames`, one on the writer between its batches.
    func round() async throws {
        let frames = try await Self.checkpoint(database)
        if frames >= restartFrames {
            _ = try await writer.betweenBatches { try await Self.checkpoint($0) }
        }
    }

    /// A passive checkpoint on `database`; returns the frames in the log.
    static func checkpoint(_ database: any SQLDatabase) async throws -> Int {
        let row = try await database.raw("PRAGMA wal_checkpoint(PASSIVE)").first()
        return try row?.decode(column: "log", as: Int.self) ?? 0
    }
}
