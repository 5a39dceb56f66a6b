import Logging
import SQLKit

/// Copies the write-ahead log into the database file on a connection of its
/// own, every `busyInterval` while the log grows (`idleInterval` once it has
/// stopped), without blocking the writer (PASSIVE: it copies what
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
///
/// Under saturating MeterValues the main log grows by 40–100 MB a second (a
/// commit writes each page it touched, and each station's values sit on a
/// page of their own). Looked at once a second, it reached 90–125 MB before
/// it started over: the first commit then trimmed it to 64 MiB and the next
/// round grew it again into blocks the file system had to allocate and zero
/// (a sixth of the writer's time), and the copy left to the writer was a
/// long one. Four times a second the log stays under the limit and the
/// writer's share of the copy is short (docs/PERFORMANCE.md, fourteenth
/// session).
struct SQLiteCheckpointer: Sendable {
    let database: any SQLDatabase
    let writer: GroupCommitWriter
    let logger: Logger
    /// Past this many frames in the log (8,192 frames of 4 KiB pages: about 32 MiB), the
    /// remainder is copied on the writer so that the log starts over.
    var restartFrames = 8_192
    /// Between rounds while the log grows.
    static let busyInterval: Duration = .milliseconds(250)
    /// Between rounds once the log held as many frames as the round before: an idle server
    /// wakes up once a second.
    static let idleInterval: Duration = .seconds(1)

    /// Runs until cancelled.
    func run() async {
        var interval = Self.idleInterval
        var lastFrames = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            do {
                let frames = try await round()
                interval = Self.interval(frames: frames, before: lastFrames)
                lastFrames = frames
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

    /// The pause before the next round, after one that found `frames` in the log and one before it `before`.
    static func interval(frames: Int, before: Int) -> Duration {
        frames == before ? idleInterval : busyInterval
    }

    /// One checkpoint beside the writer, then, when the log has grown past
    /// `restartFrames`, one on the writer between its batches; returns the
    /// frames the log held at the first.
    @discardableResult
    func round() async throws -> Int {
        let frames = try await Self.checkpoint(database)
        if frames >= restartFrames {
            _ = try await writer.betweenBatches { try await Self.checkpoint($0) }
        }
        return frames
    }

    /// A passive checkpoint on `database`; returns the frames in the log.
    static func checkpoint(_ database: any SQLDatabase) async throws -> Int {
        let row = try await database.raw("PRAGMA wal_checkpoint(PASSIVE)").first()
        return try row?.decode(column: "log", as: Int.self) ?? 0
    }
}
