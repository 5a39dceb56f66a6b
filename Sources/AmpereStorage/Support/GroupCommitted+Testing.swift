import SQLKit

/// A database whose writes go through a `GroupCommitWriter`: every one Ampere has.
protocol GroupCommitted: StorageDatabase {
    var writer: GroupCommitWriter { get }
    /// The writer of the message log (on SQLite, of its own file).
    var messageLogWriter: GroupCommitWriter { get }
}

extension SQLiteStorage: GroupCommitted {}
extension PostgresStorage: GroupCommitted {}

// White-box access for the storage tests (through `@testable import`); not part of the API.
extension GroupCommitted {
    /// The migration versions recorded in the database.
    func appliedMigrations() async throws -> [Int] {
        try await writer.write { db in
            try await db.raw("SELECT version FROM schema_migrations ORDER BY version").all()
                .map { try $0.value("version", as: Int.self) }
        }
    }

    /// Runs raw statements as one write, in order.
    func executeForTesting(_ statements: [String]) async throws {
        try await execute(statements, on: writer)
    }

    /// The migration that made the message log runs of frames, in the database that holds it.
    var messageLogBatchesVersion: Int {
        let traits = messageLogWriter.traits
        return traits.messageLogInOwnFile
            ? Schema.messageLogFileBatchesVersion : Schema.messageLogBatchesInPlace(traits).version
    }

    /// Runs raw statements as one write, in order, where the message log is.
    func executeOnMessageLogForTesting(_ statements: [String]) async throws {
        try await execute(statements, on: messageLogWriter)
    }

    private func execute(_ statements: [String], on writer: GroupCommitWriter) async throws {
        do {
            try await writer.write { db in
                for statement in statements { try await db.raw(SQLQueryString(statement)).run() }
            }
        } catch {
            throw writer.traits.storageError(error)
        }
    }
}

extension SQLiteStorage {
    /// The database's size in bytes (what the file holds once the WAL is checkpointed).
    func databaseSize() async throws -> Int {
        try await writer.write { db in
            let pages = try await db.raw("PRAGMA page_count").first()?.value("page_count", as: Int.self) ?? 0
            let size = try await db.raw("PRAGMA page_size").first()?.value("page_size", as: Int.self) ?? 0
            return pages * size
        }
    }
}
