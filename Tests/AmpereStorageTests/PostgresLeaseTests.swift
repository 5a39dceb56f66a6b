import AmpereDomain
import Foundation
import Logging
import NIOPosix
import PostgresNIO
import SQLKit
import Synchronization
import Testing

@testable import AmpereStorage

/// A pooled connection's bounded wait: a database that cannot be reached fails
/// the caller as `.unavailable` in time instead of keeping it waiting while the
/// pool retries, a cancelled caller stops waiting at once, and a leased
/// connection's work is never cut short by the deadline.
@Suite(.timeLimit(.minutes(1))) struct PostgresLeaseTests {
    static let logger: Logger = {
        var logger = Logger(label: "ampere.tests.lease")
        logger.logLevel = .error
        return logger
    }()

    /// A client of a loopback port that nothing listens on: every connection attempt is refused.
    /// A loopback port that nothing listens on.
    static func closedPort() async throws -> Int {
        let socket = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(socket.localAddress?.port)
        try await socket.close()
        return port
    }

    static func withUnreachableClient(_ body: (PostgresClient) async throws -> Void) async throws {
        let port = try await closedPort()
        let location = try PostgresLocation(url: "postgres://nobody@127.0.0.1:\(port)/none")
        let client = PostgresClient(configuration: location.clientConfiguration(), backgroundLogger: logger)
        let run = await client.startRunning()
        defer { run.cancel() }
        try await body(client)
    }

    @Test func aLeaseThatNeverComesFailsAsUnavailableWithoutRunningTheBody() async throws {
        try await Self.withUnreachableClient { client in
            let ran = Atomic(false)
            let clock = ContinuousClock()
            let started = clock.now
            await #expect {
                try await client.withConnection(leasedWithin: .milliseconds(300)) { _ in ran.store(true, ordering: .relaxed) }
            } throws: { error in
                (error as? StorageError)?.code == .unavailable
            }
            let waited = clock.now - started
            #expect(waited >= .milliseconds(300))
            #expect(waited < .seconds(3), "failed after \(waited)")
            let bodyRan = ran.load(ordering: .relaxed)
            #expect(!bodyRan)
        }
    }

    @Test func aCancelledCallerStopsWaitingAtOnce() async throws {
        try await Self.withUnreachableClient { client in
            let clock = ContinuousClock()
            let started = clock.now
            let waiting = Task { try await client.withConnection(leasedWithin: .seconds(50)) { _ in 1 } }
            try await Task.sleep(for: .milliseconds(200))
            waiting.cancel()
            let outcome = await waiting.result
            #expect(throws: (any Error).self) { try outcome.get() }
            #expect(clock.now - started < .seconds(5))
        }
    }

    /// A routed call's prepared statement waits for its connection no longer than any other statement.
    @Test func aRoutedCallWithTheDatabaseUnreachableFailsAsUnavailable() async throws {
        let port = try await Self.closedPort()
        let bus = try await PostgresClusterBus(url: "postgres://nobody@127.0.0.1:\(port)/none", logger: Self.logger)
        let clock = ContinuousClock()
        let started = clock.now
        await #expect {
            _ = try await bus.submit(
                ClusterCallRequest(
                    originNode: "node_a", targetNode: "node_b", stationId: "CP1", action: "Reset",
                    payload: #"{"type":"Soft"}"#, timeout: .seconds(30)))
        } throws: { error in
            (error as? StorageError)?.code == .unavailable
        }
        #expect(clock.now - started < PostgresPoolSource.leaseTimeout + .seconds(10))
        await bus.close()
    }

    /// Writes queued behind a batch that found no connection fail with it: each would wait as long again.
    @Test func writesQueuedBehindAnUnavailableDatabaseFailWithoutWaitingAgain() async throws {
        let source = UnavailableSource(after: .seconds(1))
        let writer = GroupCommitWriter(source: source, traits: .postgres, logger: Self.logger)
        let loop = Task { await writer.run() }
        let outcomes = await withTaskGroup(of: StorageError.Code?.self) { group in
            for index in 0..<5 {
                group.addTask {
                    do {
                        try await writer.write { _ in }
                        return nil
                    } catch {
                        return (error as? StorageError)?.code
                    }
                }
                // The first write's batch is waiting for its connection before the others queue.
                while index == 0, source.calls.load(ordering: .relaxed) == 0 { await Task.yield() }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        writer.finish()
        await loop.value
        #expect(outcomes == Array(repeating: .unavailable, count: 5))
        // One wait for a connection, not one per batch.
        let calls = source.calls.load(ordering: .relaxed)
        #expect(calls == 1)
    }

    @Test(arguments: StorageBackend.postgresServerURL.map { [$0] } ?? [])
    func workLongerThanTheDeadlineIsNotCutShort(url: String) async throws {
        let client = PostgresClient(
            configuration: try PostgresLocation(url: url).clientConfiguration(), backgroundLogger: Self.logger)
        let run = await client.startRunning()
        defer { run.cancel() }
        // A first lease opens the connection (slow on a loaded machine); the second finds it idle.
        _ = try await client.withConnection(leasedWithin: .seconds(10)) { _ in }
        let value = try await client.withConnection(leasedWithin: .milliseconds(300)) { connection in
            _ = try await connection.query("SELECT pg_sleep(0.6)", logger: Self.logger).collect()
            return try await connection.query("SELECT 41 + 1", logger: Self.logger).collect().first?.decode(Int.self)
        }
        #expect(value == 42)
    }
}

/// A database that gives no connection: every lease fails as `.unavailable` after `delay`.
private final class UnavailableSource: SQLConnectionSource {
    let delay: Duration
    let calls = Atomic(0)

    init(after delay: Duration) { self.delay = delay }

    func withDatabase<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        calls.add(1, ordering: .relaxed)
        try await Task.sleep(for: delay)
        throw StorageError(.unavailable, reason: "test")
    }
}
