import AmpereBench
import AmpereServer
import AmpereTestSupport
import Foundation
import Logging
import Testing

/// The throughput scenario at a small size against a real server: its
/// bookkeeping, never a timing.
@Suite struct ThroughputBenchmarkTests {
    static func withServer(_ body: @Sendable (Int) async throws -> Void) async throws {
        try await BenchTestServer.with { server in try await body(server.port) }
    }

    @Test(arguments: ThroughputBenchmark.Message.allCases)
    func everyConnectionBootsAndEveryCallIsAnswered(message: ThroughputBenchmark.Message) async throws {
        try await Self.withServer { port in
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            let result = try await ThroughputBenchmark.run(
                .init(
                    url: "ws://127.0.0.1:\(port)/ocpp", connections: 5, duration: .milliseconds(500), message: message,
                    serverPid: getpid()),
                logger: logger)
            #expect(result.connections == 5)
            #expect(result.errors == 0)
            #expect(result.timeouts == 0)
            #expect(result.roundTrips > 0)
            #expect(result.latencyMs.p50 > 0)
            #expect(result.latencyMs.max >= result.latencyMs.p99)
            #expect(result.serverRSSBytes ?? 0 > 0)
        }
    }

    @Test func pacedConnectionsSendEveryCallDueInTheWindowAndNoMore() async throws {
        try await Self.withServer { port in
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            // 5 connections at 50/s in all: each calls every 100 ms, offset by 20 ms per connection,
            // so each has exactly 10 calls due in the 1 s window, answered or not by its end.
            let result = try await ThroughputBenchmark.run(
                .init(
                    url: "ws://127.0.0.1:\(port)/ocpp", connections: 5, duration: .seconds(1), message: .heartbeat,
                    rate: 50),
                logger: logger)
            #expect(result.errors == 0)
            #expect(result.timeouts == 0)
            #expect(result.roundTrips == 50)
            #expect(result.offeredPerSecond == 50)
            #expect(result.latencyMs.p50 > 0)
            #expect(result.table.contains("paced: 50 round trips/s offered"))
        }
    }

    @Test func aRateThatIsNotPositiveIsRefused() async throws {
        await #expect(throws: BenchOptionsError.self) {
            _ = try await ThroughputBenchmark.run(
                .init(url: "ws://127.0.0.1:1/ocpp", connections: 1, duration: .seconds(1), message: .heartbeat, rate: 0),
                logger: Logger(label: "bench"))
        }
    }

    @Test func refusedConnectionsCountAsErrors() async throws {
        // Nothing listens on port 1: every connection fails, and says so.
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let result = try await ThroughputBenchmark.run(
            .init(url: "ws://127.0.0.1:1/ocpp", connections: 3, duration: .milliseconds(100), message: .heartbeat),
            logger: logger)
        #expect(result.roundTrips == 0)
        #expect(result.errors == 3)
    }
}
