import SQLKit

/// Where a store gets a connection for a unit of work: the one connection of
/// an embedded database, or a lease from a server database's pool.
protocol SQLConnectionSource: Sendable {
    /// Runs `body` on a connection that nobody else uses until it returns.
    func withDatabase<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T
}

/// A single connection, used by one caller at a time by construction (the
/// writer loop, or a reader whose driver serializes its calls).
struct SingleConnectionSource: SQLConnectionSource {
    let database: any SQLDatabase

    func withDatabase<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await body(database)
    }
}
