import AmpereDomain
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// A connection of its own for work that runs one statement at a time, such
/// as a `StatementBatcher`'s flushes: each statement goes straight to it, with
/// no lease from the pool (its state machine, its timers and the task that
/// bounds the wait), which had cost a routed command a tenth of its CPU on
/// each node.
///
/// Connected on first use and again after it closed; a connection that
/// cannot be made within `PostgresPoolSource.leaseTimeout` fails as
/// `StorageError` `.unavailable`, as a pool's lease would.
final class DedicatedConnection: Sendable {
    private let configuration: PostgresConnection.Configuration
    private let eventLoop: any EventLoop
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var connection: PostgresConnection?
        var closed = false
    }

    /// `settings` go to the server with each connection's startup, as a pool's would.
    init(location: PostgresLocation, settings: [(String, String)], eventLoop: any EventLoop, logger: Logger) throws {
        var configuration = try location.connectionConfiguration()
        configuration.options.additionalStartupParameters = settings
        configuration.options.connectTimeout = TimeAmount(PostgresPoolSource.leaseTimeout)
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// Runs `body` on the connection, connecting first when there is none open.
    func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await current()
        do {
            return try await body(connection)
        } catch {
            guard connection.isClosed || PSQLError.isConnectionLost(error) else { throw error }
            // The database went away (or dropped this session) under the statement: unavailable,
            // as a pool that cannot lease is, and not run again here (it may have committed).
            forget(connection)
            throw StorageError(.unavailable, reason: "the PostgreSQL connection closed: \(String(reflecting: error))")
        }
    }

    /// Closes the connection; later work fails.
    func close() async {
        let connection = state.withLock { state in
            state.closed = true
            defer { state.connection = nil }
            return state.connection
        }
        try? await connection?.close()
    }

    private func current() async throws -> PostgresConnection {
        switch state.withLock({ ($0.closed, $0.connection) }) {
        case (true, _): throw StorageError(.unavailable, reason: "the cluster's connection is closed")
        case (false, let open?) where !open.isClosed: return open
        default: break
        }
        let made: PostgresConnection
        do {
            made = try await PostgresConnection.connect(
                on: eventLoop, configuration: configuration, id: 2, logger: logger)
        } catch {
            throw StorageError(.unavailable, reason: "no PostgreSQL connection: \(String(reflecting: error))")
        }
        // Two callers may both have connected: the first one kept serves both.
        let (kept, extra) = state.withLock { state -> (PostgresConnection?, PostgresConnection?) in
            guard !state.closed else { return (nil, made) }
            if let open = state.connection, !open.isClosed { return (open, made) }
            state.connection = made
            return (made, nil)
        }
        if let extra { try? await extra.close() }
        guard let kept else { throw StorageError(.unavailable, reason: "the cluster's connection is closed") }
        return kept
    }

    private func forget(_ connection: PostgresConnection) {
        state.withLock { state in
            if state.connection === connection { state.connection = nil }
        }
    }
}
