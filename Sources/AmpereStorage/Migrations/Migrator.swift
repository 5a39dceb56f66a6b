import Foundation
import Logging
import SQLKit

/// Brings a database's schema up to date with an ordered list of migrations.
///
/// Several processes may start at once on one database (the nodes of a
/// cluster): each step runs in a write transaction that first takes the
/// dialect's migration lock, and checks again under it whether it is needed.
struct Migrator {
    let database: any SQLDatabase
    let traits: SQLDialectTraits
    let logger: Logger

    func migrate(_ migrations: [Migration]) async throws {
        try await inTransaction {
            try await execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    applied_at \(traits.bigInteger) NOT NULL
                )
                """)
        }
        let applied = try await appliedVersions()
        if let newest = applied.max(), let known = migrations.map(\.version).max(), newest > known {
            throw StorageError(
                .newerSchema, reason: "the database is at schema version \(newest); this program knows up to \(known)")
        }
        for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
            try await apply(migration)
        }
    }

    func appliedVersions() async throws -> Set<Int> {
        Set(
            try await database.raw("SELECT version FROM schema_migrations").all().map {
                try $0.value("version", as: Int.self)
            })
    }

    private func apply(_ migration: Migration) async throws {
        try await inTransaction {
            // Another process may have applied it while this one waited for the lock.
            let done = try await database.raw(
                "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
            ).first()
            guard done == nil else { return }
            for statement in migration.statements { try await execute(statement) }
            try await database.raw(
                """
                INSERT INTO schema_migrations (version, name, applied_at)
                VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Millis.from(Date())))
                """
            ).run()
            logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        }
    }

    private func inTransaction(_ body: () async throws -> Void) async throws {
        try await execute(traits.beginWrite)
        do {
            if let lock = traits.lockMigrations { try await execute(lock) }
            try await body()
            try await execute("COMMIT")
        } catch {
            try? await execute("ROLLBACK")
            throw error
        }
    }

    private func execute(_ sql: String) async throws {
        try await database.raw(SQLQueryString(sql)).run()
    }
}
