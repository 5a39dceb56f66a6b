import AmpereSimulator
import AmpereTestSupport
import Foundation
import Testing

/// The end of a simulator run leaves the central system no transaction open: every driver charging
/// stops the session, and the run waits for the StopTransactions to be answered.
@Suite struct RunEndTests {
    @Test func endingARunStopsEverySessionAtTheCentralSystem() async throws {
        try await SimTestServer.withServer { server in
            let api = try await SimAPIClient.signedIn(server)
            for tag in ["END-1", "END-2", "END-3"] { try await api.createTag(tag) }
            var template = SimTestSupport.configuration([server.wsURL], id: "")
            template.idTags = ["END-1", "END-2", "END-3"]
            let simulator = SimTestSupport.fleet(2, prefix: "END", template: template)
            let ids = simulator.chargePoints.map(\.configuration.id)
            try await SimTestSupport.run(simulator) {
                try await Polling.eventually("both booted") { simulator.chargePoints.allSatisfy(\.isBooted) }
                #expect(simulator.chargePoints[0].plugIn(connectorId: 1))
                #expect(simulator.chargePoints[0].plugIn(connectorId: 2))
                #expect(simulator.chargePoints[1].plugIn(connectorId: 1))
                try await Polling.eventually("three transactions started") {
                    try await api.transactions(of: ids).count == 3
                }

                #expect(await simulator.endSessions(within: .seconds(10)) == 0)
                let transactions = try await api.transactions(of: ids)
                #expect(transactions.count == 3)
                #expect(transactions.allSatisfy { $0["stopReason"] as? String == "Local" && $0["meterStop"] is Int })
                // No driver arrives once the run ends.
                #expect(!simulator.chargePoints[1].plugIn(connectorId: 2))
                #expect(simulator.stats.snapshot().sessionsCompleted == 3)
            }
        }
    }
}
