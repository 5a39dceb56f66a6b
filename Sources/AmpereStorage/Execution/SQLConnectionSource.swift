import SQLKit
import Synchronization

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

/// Several connections taken in turn, so that reads run side by side (each
/// SQLite connection runs one statement at a time).
struct RoundRobinSource: SQLConnectionSource {
    let databases: [any SQLDatabase]
    private let next = Counter()

    init(_ databases: [any SQLDatabase]) {
        precondition(!databases.isEmpty)
        self.databases = databases
    }

    func withDatabase<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await body(databases[next.take() % databases.count])
    }

    private final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func take() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
    }
}
