import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization
import Testing

@testable import AmpereStorage

/// SQLite's write-ahead log starts over while writes never stop, and work
/// queued between the writer's batches runs outside any transaction.
@Suite struct WALRestartTests {
    private static let logger = StorageBackend.logger

    /// A fresh SQLite file with one table, closed and removed after `body`.
    private func withFile(_ body: (SQLiteFile, String) async throws -> Void) async throws {
        try await SQLiteFile.withTemporary { file, path in
            try await file.writer.write { try await $0.raw("CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT)").run() }
            try await body(file, path)
        }
    }

    /// The writers' flag to stop, and how many inserts they committed.
    private final class Progress: Sendable {
        let stop = Atomic(false)
        let written = Atomic(0)
    }

    /// The log header's checkpoint sequence number, which SQLite raises each time the log starts over.
    private func logSequence(_ path: String) throws -> UInt32 {
        let header = try #require(FileManager.default.contents(atPath: path + "-wal")?.prefix(16))
        return header.suffix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    @Test func theLogStartsOverWhileWritesNeverStop() async throws {
        try await withFile { file, path in
            let connection = try await SQLiteConnection.openConfigured(
                path: path, readOnly: false, threadPool: .singleton, logger: Self.logger)
            let checkpointer = SQLiteCheckpointer(
                database: connection.sql(), writer: file.writer, logger: Self.logger, restartFrames: 16)
            let body = String(repeating: "x", count: 1_000)
            try await file.writer.write { try await $0.raw("INSERT INTO rows (body) VALUES (\(bind: body))").run() }
            let before = try logSequence(path)
            let progress = Progress()
            try await withThrowingTaskGroup(of: Void.self) { writers in
                // Four writers, each queueing its next insert as soon as the last committed: the writer is
                // never idle, so without help no checkpoint ever finds the whole log copied.
                for _ in 0..<4 {
                    writers.addTask {
                        while !progress.stop.load(ordering: .relaxed) {
                            try await file.writer.write {
                                try await $0.raw("INSERT INTO rows (body) VALUES (\(bind: body))").run()
                            }
                            progress.written.add(1, ordering: .relaxed)
                        }
                    }
                }
                for _ in 0..<10 {
                    try await Task.sleep(for: .milliseconds(20))
                    try await checkpointer.round()
                }
                progress.stop.store(true, ordering: .relaxed)
                try await writers.waitForAll()
            }
            try await connection.close()
            #expect(progress.written.load(ordering: .relaxed) > 0)
            #expect(try logSequence(path) > before, "the log never started over")
            let count = try await file.store.read { try await $0.raw("SELECT count(*) AS n FROM rows").first() }
            #expect(try count?.decode(column: "n", as: Int.self) == progress.written.load(ordering: .relaxed) + 1)
        }
    }

    @Test func roundsComeQuicklyWhileTheLogGrowsAndSlowlyOnceItStops() async throws {
        try await withFile { file, path in
            let connection = try await SQLiteConnection.openConfigured(
                path: path, readOnly: false, threadPool: .singleton, logger: Self.logger)
            let checkpointer = SQLiteCheckpointer(database: connection.sql(), writer: file.writer, logger: Self.logger)
            let insert = { try await file.writer.write { try await $0.raw("INSERT INTO rows (body) VALUES ('x')").run() } }
            try await insert()
            let first = try await checkpointer.round()
            #expect(first > 0)
            #expect(SQLiteCheckpointer.interval(frames: first, before: 0) == SQLiteCheckpointer.busyInterval)
            // Nothing written since: the log holds the same frames (copied, kept until the next write).
            let idle = try await checkpointer.round()
            #expect(idle == first)
            #expect(SQLiteCheckpointer.interval(frames: idle, before: first) == SQLiteCheckpointer.idleInterval)
            // Ten commits of a frame or more each, while a reader holds its snapshot: the log cannot
            // start over under it (the file's own checkpointer runs too), so it only grows.
            let reader = try await SQLiteConnection.openConfigured(
                path: path, readOnly: true, threadPool: .singleton, logger: Self.logger)
            try await reader.sql().raw("BEGIN").run()
            _ = try await reader.sql().raw("SELECT count(*) AS n FROM rows").all()
            for _ in 0..<10 { try await insert() }
            let grown = try await checkpointer.round()
            try await reader.sql().raw("COMMIT").run()
            try await reader.close()
            #expect(grown > idle)
            #expect(SQLiteCheckpointer.interval(frames: grown, before: idle) == SQLiteCheckpointer.busyInterval)
            #expect(SQLiteCheckpointer.busyInterval < SQLiteCheckpointer.idleInterval)
            try await connection.close()
        }
    }

    @Test func workBetweenBatchesRunsOutsideAnyTransaction() async throws {
        try await withFile { file, _ in
            let inserts = (0..<50).map { index in
                Task { try await file.writer.write { try await $0.raw("INSERT INTO rows (body) VALUES (\(bind: "\(index)"))").run() } }
            }
            // SQLite refuses BEGIN inside a transaction: this succeeds only between two batches.
            try await file.writer.betweenBatches { database in
                try await database.raw("BEGIN IMMEDIATE").run()
                try await database.raw("COMMIT").run()
            }
            for insert in inserts { try await insert.value }
            let answer = try await file.writer.betweenBatches { database in
                try await database.raw("SELECT count(*) AS n FROM rows").first()?.decode(column: "n", as: Int.self)
            }
            #expect(answer == 50)
        }
    }

    @Test func workBetweenBatchesIsRefusedOnceTheWriterFinished() async throws {
        try await withFile { file, _ in
            file.writer.finish()
            await #expect(throws: StorageError.self) {
                try await file.writer.betweenBatches { _ in 1 }
            }
        }
    }
}
