import Foundation
import Logging
import Testing

@testable import AmpereStorage

@Suite struct MigrationTests {
    @Test func migrationsApplyOnceAndANewerSchemaIsRefused() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ampere-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let logger = Logger(label: "test")
        let known = SQLiteSchema.migrations.map(\.version)

        let first = try await SQLiteStorage.open(path: path, logger: logger)
        #expect(try await first.appliedMigrations() == known)
        try await first.close()

        let second = try await SQLiteStorage.open(path: path, logger: logger)
        #expect(try await second.appliedMigrations() == known)
        try await second.executeForTesting([
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)"
        ])
        try await second.close()

        let error = await #expect(throws: StorageError.self) {
            let storage = try await SQLiteStorage.open(path: path, logger: logger)
            try await storage.close()
        }
        #expect(error?.code == .newerSchema)
    }

    @Test func anUnopenablePathIsAStorageError() async throws {
        let error = await #expect(throws: StorageError.self) {
            let storage = try await SQLiteStorage.open(
                path: "/nonexistent-dir/\(UUID())/db.sqlite", logger: Logger(label: "test"))
            try await storage.close()
        }
        #expect(error?.code == .database)
    }
}
