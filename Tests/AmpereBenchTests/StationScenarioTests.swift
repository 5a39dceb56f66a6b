import AmpereBench
import AmpereSimulator
import Foundation
import Testing

/// Every station scenario at a small size against a real server: its own
/// bookkeeping, never a timing.
@Suite struct StationScenarioTests {
    @Test func connectHoldsEveryStation() async throws {
        try await BenchTestServer.with { server in
            let result = try await ConnectScenario.run(
                .init(load: server.load(20, prefix: "CONN"), hold: .milliseconds(200)))
            #expect(result.passed, "\(result.failures)")
            #expect(result.figure("held") == 20)
            #expect(result.figure("failed") == 0)
            #expect(result.call("BootNotification")?.count == 20)
            #expect(result.call("BootNotification")?.errors == 0)
            // The server runs in this process: its RSS is read before and after.
            #expect(result.figure("serverRSSHeldBytes") ?? 0 > 0)
            #expect(result.figure("rssGrowthPerSessionBytes") != nil)
            #expect(result.figure("connectRate") ?? 0 > 0)
        }
    }

    @Test func bootStormAcceptsEveryStation() async throws {
        try await BenchTestServer.with { server in
            var load = server.load(30, prefix: "BOOT")
            load.rate = 300
            let result = try await BootStormScenario.run(.init(load: load, timeout: .seconds(30)))
            #expect(result.passed, "\(result.failures)")
            #expect(result.figure("accepted") == 30)
            #expect(result.figure("notAccepted") == 0)
            #expect(result.figure("bootsAccepted") == 30)
            #expect(result.call("BootNotification")?.count == 30)
            // Connector 0 and the two connectors of each station, every one answered.
            #expect(result.call("StatusNotification")?.count == 90)
            #expect(result.call("StatusNotification")?.errors == 0)
            #expect(result.call("StatusNotification")?.timeouts == 0)
            #expect(result.figure("secondsToAllAccepted") ?? 0 > 0)
        }
    }

    @Test func steadyHeartbeatsAndChargesTheGivenShare() async throws {
        try await BenchTestServer.with { server in
            let result = try await SteadyScenario.run(
                .init(
                    load: server.load(20, prefix: "STDY"), duration: .seconds(3), heartbeatInterval: 0.25,
                    charging: 0.5, meterInterval: 0.3))
            #expect(result.passed, "\(result.failures)")
            #expect(result.figure("chargingStations") == 10)
            #expect(result.call("StartTransaction")?.count == 10)
            #expect(result.call("StopTransaction")?.count == 10)
            // A station that is not charging sends its first heartbeat within its first interval; a
            // charging one only once its StartTransaction is answered, which on a loaded machine (the
            // other suites run alongside) can take most of the window. None sends more than one a period.
            let heartbeats = result.call("Heartbeat")?.count ?? 0
            #expect(heartbeats >= 10 && heartbeats <= 20 * (Int(3 / 0.25) + 1), "\(heartbeats) heartbeats")
            let meterValues = result.call("MeterValues")?.count ?? 0
            #expect(meterValues >= 1 && meterValues <= 10 * (Int(3 / 0.3) + 1), "\(meterValues) MeterValues")
            let all = try #require(result.call("all"))
            #expect(all.errors == 0)
            #expect(all.timeouts == 0)
            let actions = result.calls.filter { $0.call != "all" && $0.call != "BootNotification" }
            #expect(all.count == actions.reduce(0) { $0 + $1.count })
            #expect(all.latencyMs.max >= all.latencyMs.p99)
        }
    }

    @Test func sessionsAreStoredExactlyOnce() async throws {
        try await BenchTestServer.with { server in
            let result = try await SessionsScenario.run(
                .init(load: server.load(10, prefix: "SESS", api: true), transactions: 3, meterValues: 4))
            #expect(result.passed, "\(result.failures)")
            let storage = try #require(result.storage)
            #expect(storage.transactionsExpected == 30)
            #expect(storage.transactionsFound == 30)
            #expect(storage.transactionsMissing == 0)
            #expect(storage.transactionsDuplicated == 0)
            #expect(storage.sampledValuesExpected == 30 * 4 * 10)
            #expect(storage.sampledValuesFound == 30 * 4 * 10)
            #expect(storage.sampledValuesDuplicated == 0)
            #expect(result.call("MeterValues")?.count == 30 * 4)
        }
    }

    @Test func sessionsNeedCredentials() async throws {
        await #expect(throws: BenchOptionsError.self) {
            try await SessionsScenario.run(
                .init(load: LoadOptions(url: "ws://127.0.0.1:1/ocpp", stations: 1, idPrefix: "X")))
        }
    }

    @Test func reconnectStormReplaysWhatWasQueuedOffline() async throws {
        try await BenchTestServer.with { server in
            let result = try await ReconnectStormScenario.run(
                .init(
                    load: server.load(20, prefix: "RECO", api: true), charging: 0.5, heartbeatInterval: 0.3,
                    meterInterval: 0.2, warmup: .milliseconds(500),
                    backoff: ReconnectBackoff(initial: .milliseconds(100), maximum: .milliseconds(400)),
                    timeout: .seconds(30), hold: .milliseconds(300)))
            #expect(result.passed, "\(result.failures)")
            #expect(result.figure("dropped") == 10)
            #expect(result.figure("rebooted") == 10)
            #expect(result.figure("drained") == 10)
            // Five of the ten dropped stations charge; each queues MeterValues,
            // StopTransaction, StartTransaction and MeterValues while offline.
            #expect(result.figure("offlineMessagesReplayed") == Double(5 * 4))
            let storage = try #require(result.storage)
            #expect(storage.matches)
            // Ten first sessions, and five more begun offline.
            #expect(storage.transactionsExpected == 15)
            #expect(storage.transactionsFound == 15)
            #expect(storage.sampledValuesFound == storage.sampledValuesExpected)
            #expect(storage.sampledValuesExpected > 0)
            let stayed = try #require(result.call("not dropped, in storm"))
            #expect(stayed.errors == 0)
            #expect(stayed.timeouts == 0)
        }
    }

    @Test func commandsAreEachAnsweredByAStation() async throws {
        try await BenchTestServer.with { server in
            let result = try await CommandsScenario.run(
                .init(load: server.load(10, prefix: "CMD", api: true), calls: 40, concurrency: 4, fanOutConcurrency: 8))
            #expect(result.passed, "\(result.failures)")
            #expect(result.call("REST remote-start")?.count == 40)
            #expect(result.call("REST remote-start")?.errors == 0)
            #expect(result.figure("remoteStartsAnsweredByStations") == 40)
            #expect(result.call("REST SetChargingProfile")?.count == 10)
            #expect(result.figure("profilesAnsweredByStations") == 10)
        }
    }

    @Test func warmUpCallsReachStationsButAreNotMeasured() async throws {
        try await BenchTestServer.with { server in
            let result = try await CommandsScenario.run(
                .init(
                    load: server.load(10, prefix: "WCMD", api: true), calls: 30, concurrency: 4, fanOutConcurrency: 8,
                    warmUpCalls: 25))
            #expect(result.passed, "\(result.failures)")
            #expect(result.call("REST remote-start")?.count == 30)
            #expect(result.figure("remoteStartsAnsweredByStations") == 30)
            await #expect(throws: BenchOptionsError.self) {
                _ = try await CommandsScenario.run(
                    .init(load: server.load(1, prefix: "WBAD", api: true), calls: 1, warmUpCalls: -1))
            }
        }
    }

    @Test func pacedCommandsKeepTheirScheduleAndAreEachAnsweredByAStation() async throws {
        try await BenchTestServer.with { server in
            let start = ContinuousClock.now
            let result = try await CommandsScenario.run(
                .init(load: server.load(10, prefix: "PCMD", api: true), calls: 30, callRate: 20, fanOutConcurrency: 8))
            #expect(result.passed, "\(result.failures)")
            #expect(result.call("REST remote-start")?.count == 30)
            #expect(result.figure("remoteStartsAnsweredByStations") == 30)
            #expect(result.figure("remoteStartOfferedPerSecond") == 20)
            // 30 calls at 20 per second: the last is due 1.45 s after the first.
            #expect(try #require(result.figure("remoteStartSeconds")) >= 1.45)
            #expect(ContinuousClock.now - start >= .seconds(1.45))
        }
    }

    @Test func aCallRateThatIsNotPositiveIsRefused() async throws {
        try await BenchTestServer.with { server in
            for rate in [0, -5, Double.nan] {
                await #expect(throws: BenchOptionsError.self) {
                    _ = try await CommandsScenario.run(
                        .init(load: server.load(1, prefix: "BAD", api: true), calls: 1, callRate: rate))
                }
            }
        }
    }

    @Test func resultsEncodeForScripts() async throws {
        try await BenchTestServer.with { server in
            let result = try await ConnectScenario.run(.init(load: server.load(3, prefix: "JSON"), hold: .zero))
            let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as? [String: Any]
            #expect(json?["scenario"] as? String == "connect")
            #expect(json?["passed"] as? Bool == true)
            #expect((json?["figures"] as? [[String: Any]])?.contains { $0["name"] as? String == "held" } == true)
            #expect(result.table.contains("BootNotification"))
        }
    }
}
