import Foundation
import Logging
import PostgresNIO

/// Creates and drops whole databases on a PostgreSQL server: for test suites
/// that give each test a database of its own, and for tooling.
public enum PostgresDatabases {
    /// Creates database `name` on the server `serverURL` points to and returns the URL of the new database.
    /// - Parameter name: lowercase letters, digits and underscores only.
    public static func create(serverURL: String, name: String, logger: Logger) async throws -> String {
        try await administer(serverURL: serverURL, logger: logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(try quoted(name))"), logger: logger)
        }
        return try url(serverURL, database: name)
    }

    /// Drops database `name`, closing the sessions still connected to it.
    public static func drop(serverURL: String, name: String, logger: Logger) async throws {
        try await administer(serverURL: serverURL, logger: logger) { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(try quoted(name)) WITH (FORCE)"), logger: logger)
        }
    }

    /// `serverURL` with its database replaced by `database`.
    public static func url(_ serverURL: String, database: String) throws -> String {
        guard var components = URLComponents(string: serverURL) else {
            throw StorageError(.database, reason: "not a postgres:// URL")
        }
        components.path = "/" + database
        guard let url = components.string else { throw StorageError(.database, reason: "not a postgres:// URL") }
        return url
    }

    private static func quoted(_ name: String) throws -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_")
        guard !name.isEmpty, name.count <= 63, name.allSatisfy(allowed.contains) else {
            throw StorageError(.database, reason: "a database name takes lowercase letters, digits and underscores")
        }
        return "\"\(name)\""
    }

    private static func administer(
        serverURL: String, logger: Logger, _ body: (PostgresConnection) async throws -> Void
    ) async throws {
        let location = try PostgresLocation(url: serverURL)
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            do {
                try await body(connection)
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        } catch {
            throw SQLDialectTraits.postgres.storageError(error)
        }
    }
}
