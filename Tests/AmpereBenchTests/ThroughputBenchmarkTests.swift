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

    /// While the loop holds the sockets, a call from the central system (a REST remote start,
    /// answered Accepted only once the station answers) still gets its answer.
    @Test(arguments: ThroughputBenchmark.Loop.allCases)
    func theServersCallsAreAnsweredDuringTheLoop(loop: ThroughputBenchmark.Loop) async throws {
        try await BenchTestServer.with { server in
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            async let loaded = ThroughputBenchmark.run(
                .init(
                    url: server.url, connections: 3, duration: .seconds(10), message: .heartbeat, idPrefix: "CALLED",
                    loop: loop),
                logger: logger)
            let api = try await BenchAPI.signIn(server.credentials)
            defer { api.shutdown() }
            // Heartbeats come only from the loop: once the log holds one, the loop has the socket.
            struct Logged: Decodable {
                struct Item: Decodable { var action: String? }
                var items: [Item]
            }
            try await Polling.eventually("a Heartbeat of the loop in the message log", timeout: .seconds(8)) {
                let page = try? await api.get("/api/v1/charging-stations/CALLED-00002/messages", as: Logged.self)
                return page?.items.contains { $0.action == "Heartbeat" } == true
            }
            struct Status: Decodable { var status: String }
            let reply = try await api.post(
                "/api/v1/charging-stations/CALLED-00002/remote-start", json: #"{"idTag":"LOOPTAG"}"#)
            #expect(reply.status == 200)
            #expect((try? BenchAPI.decode(Status.self, reply.body))?.status == "Accepted")
            let result = try await loaded
            #expect(result.errors == 0)
            #expect(result.timeouts == 0)
            #expect(result.roundTrips > 0)
        }
    }

    /// While the loop holds the sockets, the central system's pings are answered: it pings every
    /// 2 s and drops a station that has not answered the last ping when the next is due, so an
    /// unanswered ping ends a connection within the 7 s window (an error). Not faster: a loaded
    /// 2-core CI, every suite at once, answered some pings of 300 ms too late.
    @Test(arguments: ThroughputBenchmark.Loop.allCases)
    func theServersPingsAreAnsweredDuringTheLoop(loop: ThroughputBenchmark.Loop) async throws {
        try await BenchTestServer.with { configuration in
            configuration.pingInterval = .seconds(2)
        } _: { server in
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            let result = try await ThroughputBenchmark.run(
                .init(
                    url: server.url, connections: 3, duration: .seconds(7), message: .heartbeat, idPrefix: "PINGED",
                    loop: loop),
                logger: logger)
            #expect(result.errors == 0)
            #expect(result.timeouts == 0)
            #expect(result.roundTrips > 0)
        }
    }

    /// Calls due in the warm-up go out but count nowhere, and `--samples` holds exactly the
    /// calls that were counted, each with when it was due after the warm-up.
    @Test(arguments: ThroughputBenchmark.Loop.allCases)
    func theWarmUpIsNotMeasuredAndTheSamplesAreWhatWas(loop: ThroughputBenchmark.Loop) async throws {
        let samples = FileManager.default.temporaryDirectory.appendingPathComponent("ampere-samples-\(UUID()).csv").path
        defer { try? FileManager.default.removeItem(atPath: samples) }
        try await Self.withServer { port in
            var logger = Logger(label: "bench")
            logger.logLevel = .warning
            // As in the paced test: each of the 5 connections calls every 100 ms, offset by 20 ms
            // each. Over 1.5 s, 15 calls are due per connection; 5 of them in the 0.5 s warm-up.
            let began = ContinuousClock.now
            let result = try await ThroughputBenchmark.run(
                .init(
                    url: "ws://127.0.0.1:\(port)/ocpp", connections: 5, duration: .milliseconds(1500),
                    message: .heartbeat, serverPid: getpid(), rate: 50, loop: loop, warmUp: .milliseconds(500),
                    samplesPath: samples),
                logger: logger)
            #expect(result.errors == 0)
            #expect(result.timeouts == 0)
            #expect(result.roundTrips == 50)
            // Measured from the end of the warm-up to the last answer: never the warm-up itself.
            let elapsed = ContinuousClock.now - began
            #expect(result.seconds > 0)
            #expect(.seconds(result.seconds) + .milliseconds(500) <= elapsed)
            #expect(result.serverCPUPercent != nil)

            let lines = try String(contentsOfFile: samples, encoding: .utf8).split(separator: "\n")
            #expect(lines.first == "connection,due_us,latency_us")
            let rows = lines.dropFirst().map { $0.split(separator: ",").compactMap { Int($0) } }
            #expect(rows.count == 50)
            #expect(rows.allSatisfy { $0.count == 3 })
            #expect(Dictionary(grouping: rows, by: { $0[0] }).mapValues(\.count) == [0: 10, 1: 10, 2: 10, 3: 10, 4: 10])
            // Due times count from the end of the warm-up; each connection's are 100 ms apart.
            #expect(rows.allSatisfy { $0[1] >= 0 && $0[1] < 1_000_000 && $0[2] > 0 })
            let first = rows.filter { $0[0] == 0 }.map { $0[1] }
            #expect(zip(first, first.dropFirst()).allSatisfy { abs($1 - $0 - 100_000) < 1_000 })
        }
    }

    @Test func aWarmUpAsLongAsTheRunIsRefused() async throws {
        await #expect(throws: BenchOptionsError.self) {
            _ = try await ThroughputBenchmark.run(
                .init(
                    url: "ws://127.0.0.1:1/ocpp", connections: 1, duration: .seconds(1), message: .heartbeat,
                    warmUp: .seconds(1)),
                logger: Logger(label: "bench"))
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
