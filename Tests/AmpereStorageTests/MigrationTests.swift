import Foundation
import Logging
import Testing

@testable import AmpereStorage

@Suite struct MigrationTests {
    @Test(arguments: StorageBackend.all)
    func migrationsApplyOnceAndANewerSchemaIsRefused(backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let first = try await database.open()
            let known = try await first.database.appliedMigrations()
            #expect(!known.isEmpty)
            #expect(known == Schema.migrations(first.database.writer.traits).map(\.version))
            try await first.close()

            let second = try await database.open()
            #expect(try await second.database.appliedMigrations() == known)
            try await second.database.executeForTesting([
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)"
            ])
            try await second.close()

            let error = await #expect(throws: StorageError.self) {
                let storage = try await database.open()
                try await storage.close()
            }
            #expect(error?.code == .newerSchema)
        }
    }

    /// Nodes of a cluster start together on one PostgreSQL database: the schema is built once, and every node
    /// opens. (A SQLite file belongs to one process.)
    @Test(arguments: StorageBackend.all.filter { $0.name != "SQLite" })
    func concurrentOpensMigrateOnce(backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let outcomes = await withTaskGroup(of: Result<OpenStorage, any Error>.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        do { return .success(try await database.open()) } catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let opened = outcomes.compactMap { try? $0.get() }
            for storage in opened {
                let applied = try await storage.database.appliedMigrations()
                #expect(applied.count == Set(applied).count)
                #expect(!applied.isEmpty)
            }
            for storage in opened { try await storage.close() }
            for case .failure(let error) in outcomes { Issue.record(error, "a concurrent open failed") }
        }
    }

    @Test func anUnopenablePathIsAStorageError() async throws {
        let error = await #expect(throws: StorageError.self) {
            let storage = try await SQLiteStorage.open(
                path: "/nonexistent-dir/\(UUID())/db.sqlite", logger: Logger(label: "test"))
            try await storage.close()
        }
        #expect(error?.code == .database)
    }

    @Test func anUnreachablePostgresServerIsAStorageError() async throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let error = await #expect(throws: StorageError.self) {
            let storage = try await StorageLocation.open(
                "postgres://ampere:secret-password@127.0.0.1:1/ampere?sslmode=disable", logger: Logger(label: "test"))
            try await storage.close()
        }
        #expect(error?.code == .database)
        #expect(error?.reason.contains("secret-password") == false)
    }

    @Test func postgresURLsAreRead() throws {
        let location = try PostgresLocation(url: "postgresql://me:p%40ss@db.example:6543/ampere?sslmode=require&pool_max=4")
        #expect(location.host == "db.example")
        #expect(location.port == 6543)
        #expect(location.username == "me")
        #expect(location.password == "p@ss")
        #expect(location.database == "ampere")
        #expect(location.tls == .require)
        #expect(location.maximumConnections == 4)
        #expect(StorageLocation.redacted("postgres://me:pw@h/db").contains("pw") == false)
        #expect(StorageLocation.isPostgres("postgres://h/db"))
        #expect(!StorageLocation.isPostgres("/var/lib/ampere.sqlite"))
        #expect(throws: StorageError.self) { try PostgresLocation(url: "postgres://me@h/db?sslmode=sometimes") }
        #expect(throws: StorageError.self) { try PostgresLocation(url: "postgres:///db") }
    }
}
