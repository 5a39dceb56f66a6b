import AmpereDomain
import Foundation
import Logging
import Testing

@testable import AmpereStorage

/// A kind of database the suite runs against; every backend gets the same repository tests.
struct StorageBackend: Sendable, CustomTestStringConvertible {
    var name: String
    /// Makes a fresh, empty database.
    var makeDatabase: @Sendable () async throws -> TestDatabase

    var testDescription: String { name }

    /// Every backend available here; a PostgreSQL one joins when it exists.
    static let all: [StorageBackend] = [.sqlite]
}

extension StorageBackend {
    static let sqlite = StorageBackend(name: "SQLite") {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ampere-storage-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("ampere.sqlite").path
        return TestDatabase(
            open: {
                let sqlite = try await SQLiteStorage.open(path: path, logger: Logger(label: "ampere.storage.tests"))
                return OpenStorage(
                    storage: sqlite.storage, close: { try await sqlite.close() },
                    statistics: { sqlite.writeStatistics })
            },
            destroy: { try FileManager.default.removeItem(at: directory) })
    }

    /// Runs `body` on a fresh database and removes the database afterwards.
    func withDatabase(_ body: (TestDatabase) async throws -> Void) async throws {
        let database = try await makeDatabase()
        do {
            try await body(database)
        } catch {
            try? await database.destroy()
            throw error
        }
        try await database.destroy()
    }

    /// Runs `body` on a fresh, opened database, then closes and removes it.
    func withStorage(_ body: (OpenStorage) async throws -> Void) async throws {
        try await withDatabase { database in
            let opened = try await database.open()
            do {
                try await body(opened)
            } catch {
                try? await opened.close()
                throw error
            }
            try await opened.close()
        }
    }
}
