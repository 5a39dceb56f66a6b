import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

extension PostgresConnection {
    /// The connection as an `SQLDatabase` whose queries fail once the
    /// connection has closed, instead of waiting for ever.
    ///
    /// PostgresNIO hands each query to its channel without a write promise:
    /// a query issued just after the channel closed (the server went away
    /// while the pool was leasing the connection out) is dropped with no
    /// error, and its caller waits for ever. Seen with the server's sockets
    /// torn down under load: the writer's `BEGIN` never returned, and every
    /// write and the shutdown behind it waited with it.
    func guardedSQL() -> any SQLDatabase {
        GuardedSQLDatabase(base: sql(queryLogLevel: .trace), closing: ConnectionCloseGuard.of(self))
    }
}

/// Forwards every query to `base` and fails it if the connection closes first.
private struct GuardedSQLDatabase: SQLDatabase {
    let base: any SQLDatabase
    let closing: ConnectionCloseGuard

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        closing.guarded(on: base.eventLoop) { base.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await execute(sql: query, onRow).get()
    }
}

/// The queries in flight on one connection, failed together when it closes.
final class ConnectionCloseGuard: Sendable {
    private struct State {
        var closed = false
        var next: UInt64 = 0
        var waiting: [UInt64: EventLoopPromise<Void>] = [:]
    }

    private let state = Mutex(State())

    /// One guard per open connection, registered with its close on first use.
    private static let guards = Mutex<[ObjectIdentifier: ConnectionCloseGuard]>([:])

    static func of(_ connection: PostgresConnection) -> ConnectionCloseGuard {
        let key = ObjectIdentifier(connection)
        let (closing, isNew) = guards.withLock { guards in
            if let known = guards[key] { return (known, false) }
            let made = ConnectionCloseGuard()
            guards[key] = made
            return (made, true)
        }
        if isNew {
            // Runs at once when the connection has already closed.
            connection.closeFuture.whenComplete { _ in
                guards.withLock { guards in
                    if guards[key] === closing { guards[key] = nil }
                }
                closing.connectionClosed()
            }
        }
        return closing
    }

    /// Whether `connection` has a guard registered (until it closes); for tests.
    static func isRegistered(_ connection: PostgresConnection) -> Bool {
        guards.withLock { $0[ObjectIdentifier(connection)] != nil }
    }

    /// `query`'s outcome, or a failure as soon as the connection closes before it completes.
    func guarded(on eventLoop: any EventLoop, _ query: () -> EventLoopFuture<Void>) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let id = state.withLock { state -> UInt64? in
            guard !state.closed else { return nil }
            state.next += 1
            state.waiting[state.next] = promise
            return state.next
        }
        guard let id else {
            promise.fail(Self.closedError)
            return promise.futureResult
        }
        query().whenComplete { result in
            // Whoever takes the promise out completes it: the query or the close, never both.
            if self.state.withLock({ $0.waiting.removeValue(forKey: id) }) != nil { promise.completeWith(result) }
        }
        return promise.futureResult
    }

    func connectionClosed() {
        let waiting = state.withLock { state in
            state.closed = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for promise in waiting { promise.fail(Self.closedError) }
    }

    static let closedError = StorageError(.unavailable, reason: "the PostgreSQL connection closed while a query was in flight")
}
