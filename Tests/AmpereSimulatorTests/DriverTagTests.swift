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
            // Two charge points made from one template: one fleet, its counters and its drivers shared.
            let simulator = SimTestSupport.fleet(2, prefix: "TAGS", template: template)
            let ids = simulator.chargePoints.map(\.configuration.id)
            try await SimTestSupport.run(simulator) {
                try await Polling.eventually("both booted") { simulator.chargePoints.allSatisfy(\.isBooted) }
                // The first arrival's session is stored before the run ends, however slow the machine.
                try await Polling.eventually("one transaction stored") {
                    try await api.transactions(of: ids).count == 1
                }
                try await Polling.eventually("later arrivals finding the one tag in a session") {
                    simulator.stats.snapshot().noFreeDriver >= 5
                }
            }
            let snapshot = simulator.stats.snapshot()
            #expect(snapshot.sessionsStarted == 1)
            #expect(snapshot.sessionsDeauthorized == 0)
            #expect(try await api.transactions(of: ids).count == 1)
        }
    }

    @Test func aSessionStoppedForItsTagCountsAsDeauthorizedNotCompleted() async throws {
        try await SimTestServer.withServer { server in
            let api = try await SimAPIClient.signedIn(server)
            try await api.createTag("TWICE-1")
            let simulator = SimTestSupport.fleet(
                2, prefix: "TWICE", template: SimTestSupport.configuration([server.wsURL], id: ""))
            let (first, second) = (simulator.chargePoints[0], simulator.chargePoints[1])
            try await SimTestSupport.run(simulator) {
                try await Polling.eventually("both booted") { simulator.chargePoints.allSatisfy(\.isBooted) }
                // Named explicitly, the tag is not drawn from the drivers: the same card at a second
                // charger, which the central system answers ConcurrentTx at StartTransaction.
                #expect(first.plugIn(connectorId: 1, idTag: "TWICE-1"))
                try await Polling.eventually("the first session charging") {
                    first.status(ofConnector: 1) == "Charging"
                }
                #expect(second.plugIn(connectorId: 1, idTag: "TWICE-1"))
                try await Polling.eventually("the second session stopped") {
                    simulator.stats.snapshot().sessionsDeauthorized == 1
                }
                // Its StopTransaction reaches the server before the run ends.
                try await Polling.eventually("the second transaction stopped as DeAuthorized") {
                    try await api.transactions(of: second.configuration.id).first?["stopReason"] as? String
                        == "DeAuthorized"
                }
            }
            let snapshot = simulator.stats.snapshot()
            #expect(snapshot.sessionsStarted == 2)
            #expect(snapshot.sessionsCompleted == 0)
        }
    }
}
