import AmpereSimulator
import AmpereTestSupport
import Foundation
import Testing

/// Charge points boot, report their connectors and send heartbeats.
@Suite struct FleetBootTests {
    @Test func fleetBootsReportsConnectorsAndShowsConnected() async throws {
        try await SimTestServer.withServer(configuring: { $0.heartbeatInterval = 1 }) { server in
            let api = try await SimAPIClient.signedIn(server)
            let template = SimTestSupport.configuration([server.wsURL], id: "unused")
            let simulator = SimTestSupport.fleet(3, prefix: "FLEET", template: template)
            try await SimTestSupport.run(simulator) {
                try await Polling.eventually("three boots") { simulator.stats.snapshot().booted == 3 }
                for id in ["FLEET-00001", "FLEET-00002", "FLEET-00003"] {
                    try await Polling.eventually("\(id) connected with connectors 1 and 2 Available") {
                        let station = try await api.send("GET", "/api/v1/charging-stations/\(id)").object
                        let connectors = station["connectors"] as? [[String: Any]] ?? []
                        let available = connectors.filter { $0["status"] as? String == "Available" }
                            .compactMap { $0["connectorId"] as? Int }
                        return station["connected"] as? Bool == true && station["vendor"] as? String == "Ampere"
                            && Set(available).isSuperset(of: [0, 1, 2])
                    }
                }
                // The interval the server named in its BootNotification answer.
                #expect(simulator.chargePoints[0].setting("HeartbeatInterval") == "1")
                try await Polling.eventually("a heartbeat") {
                    try await api.receivedActions(of: "FLEET-00002").contains("Heartbeat")
                }
            }
            let stats = simulator.stats.snapshot()
            #expect(stats.bootsAccepted == 3)
            #expect(stats.callErrors == 0)
        }
    }

    @Test func pendingBootIsRetriedUntilAccepted() async throws {
        try await SimTestServer.withServer(configuring: { $0.heartbeatInterval = 1 }) { server in
            let api = try await SimAPIClient.signedIn(server)
            let chargePoint = try await Self.chargePoint(
                "PENDING-1", storedPassword: "cp-secret-1", presenting: "cp-secret-1", server: server, api: api)
            #expect(
                try await api.send(
                    "PUT", "/api/v1/charging-stations/PENDING-1", json: ["registrationStatus": "Pending"]
                ).status == 200)
            try await SimTestSupport.run(chargePoint) {
                try await Polling.eventually("a pending boot") {
                    try await api.receivedActions(of: "PENDING-1").contains("BootNotification")
                }
                #expect(!chargePoint.isBooted)
                #expect(
                    try await api.send(
                        "PUT", "/api/v1/charging-stations/PENDING-1", json: ["registrationStatus": "Accepted"]
                    ).status == 200)
                try await Polling.eventually("the boot retried and accepted") { chargePoint.isBooted }
                try await Polling.eventually("both boots logged") {
                    try await api.receivedActions(of: "PENDING-1").filter { $0 == "BootNotification" }.count >= 2
                }
            }
        }
    }

    /// A charge point the server knows with `storedPassword`, simulated presenting `presenting`.
    static func chargePoint(
        _ id: String, storedPassword: String, presenting: String, server: SimTestServer, api: SimAPIClient
    ) async throws -> SimulatedChargePoint {
        let created = try await api.send("POST", "/api/v1/charging-stations", json: ["id": id, "password": storedPassword])
        #expect(created.status == 201)
        var configuration = SimTestSupport.configuration([server.wsURL], id: id)
        configuration.password = presenting
        return SimulatedChargePoint(configuration: configuration, logger: SimTestSupport.logger)
    }

    @Test func aRefusedUpgradeIsNamedInTheSummary() async throws {
        try await SimTestServer.withServer { server in
            let api = try await SimAPIClient.signedIn(server)
            let chargePoint = try await Self.chargePoint(
                "LOCKED-1", storedPassword: "cp-secret-1", presenting: "not-the-secret", server: server, api: api)
            try await SimTestSupport.run(chargePoint) {
                try await Polling.eventually("two refused attempts") {
                    chargePoint.stats.snapshot().connectFailures >= 2
                }
            }
            let snapshot = chargePoint.stats.snapshot()
            #expect(!chargePoint.isBooted)
            #expect(snapshot.lastConnectFailure?.contains("refused the WebSocket upgrade") == true)
            #expect(SimulatorReport.summary(snapshot, fleet: 1, elapsed: 1).contains("wrong or missing --password"))
        }
    }

    @Test func anUnreachableServerIsNamedInTheSummary() async throws {
        let deadPort = try await SimTestServer.freePort()
        let chargePoint = SimulatedChargePoint(
            configuration: SimTestSupport.configuration(["ws://127.0.0.1:\(deadPort)/ocpp"], id: "NOWHERE-1"),
            logger: SimTestSupport.logger)
        try await SimTestSupport.run(chargePoint) {
            try await Polling.eventually("a failed attempt") { chargePoint.stats.snapshot().connectFailures >= 1 }
        }
        #expect(chargePoint.stats.snapshot().lastConnectFailure?.contains("refused") == true)
        #expect(chargePoint.stats.snapshot().lastConnectFailure?.contains("WebSocket upgrade") == false)
    }

    @Test func failsOverToTheNextURL() async throws {
        let deadPort = try await SimTestServer.freePort()
        try await SimTestServer.withServer { server in
            var configuration = SimTestSupport.configuration(
                ["ws://127.0.0.1:\(deadPort)/ocpp", server.wsURL], id: "FAILOVER-1")
            configuration.failoverAfter = 2
            let chargePoint = SimulatedChargePoint(configuration: configuration, logger: SimTestSupport.logger)
            try await SimTestSupport.run(chargePoint) {
                try await Polling.eventually("a boot on the second URL") { chargePoint.isBooted }
            }
            #expect(chargePoint.stats.snapshot().connectFailures == 2)
        }
    }
}
