import AmpereDomain
import Logging

/// An open database: the repositories on it, and the means to close it.
public protocol StorageDatabase: AnyObject, Sendable {
    /// The repositories, for whatever needs storage.
    var storage: Storage { get }
    /// How many writes reached the database and in how many commits.
    var writeStatistics: WriteStatistics { get }
    /// Answers every queued write, waits for running reads, and closes the database.
    /// Later calls to the repositories throw `StorageError.closed`.
    func close() async throws
}

/// Opens the database a `--database` value names.
public enum StorageLocation {
    /// A `postgres://` (or `postgresql://`) URL opens PostgreSQL; anything else is a SQLite file path.
    public static func open(_ location: String, logger: Logger) async throws -> any StorageDatabase {
        if isPostgres(location) { return try await PostgresStorage.open(url: location, logger: logger) }
        return try await SQLiteStorage.open(path: location, logger: logger)
    }

    /// The cluster bus on the database `location` names, or nil when it is a
    /// SQLite file (which belongs to one node). Open the storage first: it creates the tables.
    public static func clusterBus(_ location: String, logger: Logger) async throws -> PostgresClusterBus? {
        guard isPostgres(location) else { return nil }
        return try await PostgresClusterBus(url: location, logger: logger)
    }

    /// True when `location` is a PostgreSQL URL.
    public static func isPostgres(_ location: String) -> Bool { PostgresLocation.isPostgres(location) }

    /// The location as it may be logged: a URL without its password.
    public static func redacted(_ location: String) -> String {
        guard isPostgres(location), let parsed = try? PostgresLocation(url: location) else { return location }
        return parsed.description
    }
}
