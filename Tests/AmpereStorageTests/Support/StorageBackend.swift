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

    /// Every backend available here: SQLite always; PostgreSQL when
    /// `AMPERE_TEST_POSTGRES_URL` names a server (the README's test command starts one).
    static let all: [StorageBackend] = [.sqlite] + (postgresServerURL.map { [.postgres(serverURL: $0)] } ?? [])

    static let postgresServerURL: String? = {
        guard let url = ProcessInfo.processInfo.environment["AMPERE_TEST_POSTGRES_URL"], !url.isEmpty else {
            return nil
        }
        return url
    }()
}

extension StorageBackend {
    static let sqlite = StorageBackend(name: "SQLite") {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ampere-storage-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("ampere.sqlite").path
        return TestDatabase(
            open: { OpenStorage(database: try await SQLiteStorage.open(path: path, logger: Self.logger)) },
            destroy: { try FileManager.default.removeItem(at: directory) })
    }

    /// A database of its own on the server, dropped afterwards.
    static func postgres(serverURL: String) -> StorageBackend {
        StorageBackend(name: "PostgreSQL") {
            let name = "ampere_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let url = try await PostgresDatabases.create(serverURL: serverURL, name: name, logger: Self.logger)
            return TestDatabase(
                open: { OpenStorage(database: try await PostgresStorage.open(url: url, logger: Self.logger)) },
                destroy: { try await PostgresDatabases.drop(serverURL: serverURL, name: name, logger: Self.logger) })
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "ampere.storage.tests")
        logger.logLevel = .warning
        return logger
    }()

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

    /// Runs `body` on a fresh database, opened; closes and removes it afterwards.
    func withStorage(_ body: (OpenStorage) async throws -> Void) async throws {
        try await withDatabase { database in try await database.withOpened(body) }
    }
}
