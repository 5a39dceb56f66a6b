@testable import AmpereBench
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

    @Test(arguments: ThroughputBenchmark.Message.allCases, ThroughputBenchmark.Loop.allCases)
    func everyConnectionBootsAndEveryCallIsAnswered(
        message: ThroughputBenchmark.Message, loop: ThroughputBenchmark.Loop
    ) async throws {
        try await Self.withServer { port in
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            let result = try await ThroughputBenchmark.run(
                .init(
                    url: "ws://127.0.0.1:\(port)/ocpp", connections: 5, duration: .milliseconds(500), message: message,
                    serverPid: getpid(), loop: loop),
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

    @Test(arguments: ThroughputBenchmark.Loop.allCases)
    func pacedConnectionsSendEveryCallDueInTheWindowAndNoMore(loop: ThroughputBenchmark.Loop) async throws {
        try await Self.withServer { port in
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            // 5 connections at 50/s in all: each calls every 100 ms, offset by 20 ms per connection,
            // so each has exactly 10 calls due in the 1 s window, answered or not by its end.
            let result = try await ThroughputBenchmark.run(
                .init(
                    url: "ws://127.0.0.1:\(port)/ocpp", connections: 5, duration: .seconds(1), message: .heartbeat,
                    rate: 50, loop: loop),
                logger: logger)
            #expect(result.errors == 0)
            #expect(result.timeouts == 0)
            #expect(result.roundTrips == 50)
            #expect(result.offeredPerSecond == 50)
            #expect(result.latencyMs.p50 > 0)
            #expect(result.table.contains("paced: 50 round trips/s offered"))
        }
    }

    /// While the epoll loop holds the sockets, the central system's pings (every 1.5 s: a station
    /// that has not answered one when the next is due is dropped; slower than the 2-core CI can
    /// always keep while every suite runs at once) and its calls (a REST remote start, answered
    /// Accepted only once the station answers) still get their answers, and the stations close
    /// cleanly afterwards.
    @Test(arguments: ThroughputBenchmark.Loop.allCases)
    func theServersPingsAndCallsAreAnsweredDuringTheLoop(loop: ThroughputBenchmark.Loop) async throws {
        try await BenchTestServer.with { configuration in
            configuration.pingInterval = .milliseconds(1500)
        } _: { server in
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            async let loaded = ThroughputBenchmark.run(
                .init(
                    url: server.url, connections: 3, duration: .seconds(5), message: .heartbeat, idPrefix: "PINGED",
                    loop: loop),
                logger: logger)
            let api = try await BenchAPI.signIn(server.credentials)
            defer { api.shutdown() }
            // Every station booted: the loop begins 100 ms later and runs for 5 s.
            struct Station: Decodable { var registrationStatus: String? }
            try await Polling.eventually("three stations booted") {
                var accepted = 0
                for id in ["PINGED-00001", "PINGED-00002", "PINGED-00003"] {
                    let station = try? await api.get("/api/v1/charging-stations/\(id)", as: Station.self)
                    if station?.registrationStatus == "Accepted" { accepted += 1 }
                }
                return accepted == 3
            }
            try await Task.sleep(for: .milliseconds(600))
            let reply = try await api.post(
                "/api/v1/charging-stations/PINGED-00002/remote-start", json: #"{"idTag":"LOOPTAG"}"#)
            struct Status: Decodable { var status: String }
            #expect(reply.status == 200)
            #expect((try? BenchAPI.decode(Status.self, reply.body))?.status == "Accepted")
            let result = try await loaded
            #expect(result.errors == 0)
            #expect(result.timeouts == 0)
            #expect(result.roundTrips > 0)
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
