import AmpereTestSupport
import Foundation
import Testing

@testable import AmpereSimulator

/// A simulated driver charges at one connector at a time: the fleet never draws a tag that is in a
/// session already, and a session the central system stops for its tag is told apart from one the
/// driver finished.
@Suite struct DriverTagTests {
    @Test func aTagInASessionIsNotDrawnAgainUntilReleased() {
        let drivers = DriverTags()
        let first = drivers.take(from: ["A", "B"])
        let second = drivers.take(from: ["A", "B"])
        #expect(Set([first, second].compactMap { $0 }) == ["A", "B"])
        #expect(drivers.take(from: ["A", "B"]) == nil)
        drivers.release("B")
        #expect(drivers.take(from: ["A", "B"]) == "B")
        #expect(drivers.held == 2)
    }

    @Test func aFleetWithOneTagChargesOneSessionAtATime() async throws {
        try await SimTestServer.withServer { server in
            let api = try await SimAPIClient.signedIn(server)
            try await api.createTag("SHARED-1")
            var template = SimTestSupport.configuration([server.wsURL], id: "")
            template.idTags = ["SHARED-1"]
            // An arrival every 50 ms on average at each of four connectors, sessions of an hour.
            template.sessionsPerHour = 72_000
            let stats = SimulatorStats()
            let chargePoints = ["TAGS-1", "TAGS-2"].map { id in
                var configuration = template
                configuration.id = id
                return SimulatedChargePoint(configuration: configuration, stats: stats, logger: SimTestSupport.logger)
            }
            try await SimTestSupport.run(chargePoints[0]) {
                try await SimTestSupport.run(chargePoints[1]) {
                    try await Polling.eventually("both booted") { chargePoints.allSatisfy(\.isBooted) }
                    // The first arrival's session is stored before the run ends, however slow the machine.
                    try await Polling.eventually("one transaction stored") {
                        try await Self.transactions(api).count == 1
                    }
                    try await Polling.eventually("later arrivals finding the one tag in a session") {
                        stats.snapshot().noFreeDriver >= 5
                    }
                }
            }
            let snapshot = stats.snapshot()
            #expect(snapshot.sessionsStarted == 1)
            #expect(snapshot.sessionsDeauthorized == 0)
            #expect(try await Self.transactions(api).count == 1)
        }
    }

    /// The transactions of the one-tag fleet's two charge points.
    static func transactions(_ api: SimAPIClient) async throws -> [[String: Any]] {
        var transactions: [[String: Any]] = []
        for id in ["TAGS-1", "TAGS-2"] { transactions += try await api.transactions(of: id) }
        return transactions
    }

    @Test func aSessionStoppedForItsTagCountsAsDeauthorizedNotCompleted() async throws {
        try await SimTestServer.withServer { server in
            let api = try await SimAPIClient.signedIn(server)
            try await api.createTag("TWICE-1")
            let stats = SimulatorStats()
            let chargePoints = ["TWICE-A", "TWICE-B"].map { id in
                SimulatedChargePoint(
                    configuration: SimTestSupport.configuration([server.wsURL], id: id), stats: stats,
                    logger: SimTestSupport.logger)
            }
            try await SimTestSupport.run(chargePoints[0]) {
                try await SimTestSupport.run(chargePoints[1]) {
                    try await Polling.eventually("both booted") { chargePoints.allSatisfy(\.isBooted) }
                    // Named explicitly, the tag is not drawn from the drivers: the same card at a second
                    // charger, which the central system answers ConcurrentTx at StartTransaction.
                    #expect(chargePoints[0].plugIn(connectorId: 1, idTag: "TWICE-1"))
                    try await Polling.eventually("the first session charging") {
                        chargePoints[0].status(ofConnector: 1) == "Charging"
                    }
                    #expect(chargePoints[1].plugIn(connectorId: 1, idTag: "TWICE-1"))
                    try await Polling.eventually("the second session stopped") {
                        stats.snapshot().sessionsDeauthorized == 1
                    }
                    // Its StopTransaction reaches the server before the run ends.
                    try await Polling.eventually("the second transaction stopped as DeAuthorized") {
                        try await api.transactions(of: "TWICE-B").first?["stopReason"] as? String == "DeAuthorized"
                    }
                }
            }
            let snapshot = stats.snapshot()
            #expect(snapshot.sessionsStarted == 2)
            #expect(snapshot.sessionsCompleted == 0)
        }
    }
}
