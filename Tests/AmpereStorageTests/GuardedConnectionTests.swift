import Logging
import PostgresNIO
import SQLKit
import Synchronization
import Testing

@testable import AmpereStorage

/// Queries through `guardedSQL()` end once their connection has closed: PostgresNIO drops a query
/// handed to a closed channel without an answer, and its caller would wait for ever.
/// Runs only when `AMPERE_TEST_POSTGRES_URL` names a server.
@Suite(.timeLimit(.minutes(1))) struct GuardedConnectionTests {
    static let servers = StorageBackend.postgresServerURL.map { [$0] } ?? []
    static let logger = Logger(label: "ampere.tests.guarded")

    static func connect(_ url: String) async throws -> PostgresConnection {
        try await PostgresConnection.connect(
            configuration: try PostgresLocation(url: url).connectionConfiguration(), id: 1, logger: logger)
    }

    @Test(arguments: servers)
    func aQueryOnAClosedConnectionFailsInsteadOfWaiting(url: String) async throws {
        let connection = try await Self.connect(url)
        let database = connection.guardedSQL()
        #expect(ConnectionCloseGuard.isRegistered(connection))
        #expect(try await database.raw("SELECT 1 AS n").first()?.decode(column: "n", as: Int.self) == 1)
        try await connection.close()
        await #expect {
            try await database.raw("SELECT 1").run()
        } throws: { error in
            (error as? StorageError)?.code == .unavailable
        }
        #expect(!ConnectionCloseGuard.isRegistered(connection))
    }

    @Test(arguments: servers)
    func aStatementWhoseConnectionIsGoneIsAnOutageNotADatabaseFault(url: String) async throws {
        // PostgresNIO's own report, unguarded: what a statement in flight gets as its connection goes.
        let connection = try await Self.connect(url)
        let sleeping = Task { try await connection.query("SELECT pg_sleep(10)", logger: Self.logger) }
        try await Task.sleep(for: .milliseconds(200))
        try await connection.close()
        let error = try #require(await sleeping.result.failure)
        #expect(PSQLError.isConnectionLost(error))
        #expect(SQLDialectTraits.postgres.storageError(error).code == .unavailable)
        #expect(SQLDialectTraits.sqlite.storageError(error).code == .database)
    }

    @Test(arguments: servers)
    func aQueryInFlightWhenTheConnectionClosesFailsOnce(url: String) async throws {
        let connection = try await Self.connect(url)
        let database = connection.guardedSQL()
        let sleeping = Task { try await database.raw("SELECT pg_sleep(10)").run() }
        try await Task.sleep(for: .milliseconds(200))
        try await connection.close()
        let outcome = await sleeping.result
        #expect(throws: (any Error).self) { try outcome.get() }
        #expect(!ConnectionCloseGuard.isRegistered(connection))
    }

    /// The reason for the guard: without it, the same query never ends. When PostgresNIO answers
    /// such a query with an error, this fails, and the guard can go.
    @Test(arguments: servers)
    func withoutTheGuardAQueryOnAClosedConnectionNeverEnds(url: String) async throws {
        let connection = try await Self.connect(url)
        try await connection.close()
        let unguarded = connection.sql()
        let ended = Atomic(false)
        // Left waiting when the test ends: that is the bug.
        Task {
            _ = try? await unguarded.raw("SELECT 1").run()
            ended.store(true, ordering: .relaxed)
        }
        try await Task.sleep(for: .seconds(1))
        let done = ended.load(ordering: .relaxed)
        #expect(!done)
    }
}

extension Result {
    /// The error, when it failed.
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
