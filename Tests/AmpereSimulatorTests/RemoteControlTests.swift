import AmpereSimulator
import AmpereTestSupport
import Foundation
import Testing

/// Calls from the central system, sent through the REST API, reach the
/// simulated charge point and do what they say.
@Suite struct RemoteControlTests {
    /// A booted charge point `id` on a fresh server, with accepted tags.
    static func withChargePoint(
        _ id: String, tags: [String] = [],
        _ body: @Sendable @escaping (SimAPIClient, SimulatedChargePoint) async throws -> Void
    ) async throws {
        try await SimTestServer.withServer { server in
            let api = try await SimAPIClient.signedIn(server)
            for tag in tags { try await api.createTag(tag) }
            let chargePoint = SimulatedChargePoint(
                configuration: SimTestSupport.configuration([server.wsURL], id: id), logger: SimTestSupport.logger)
            try await SimTestSupport.run(chargePoint) {
                try await Polling.eventually("a boot") { chargePoint.isBooted }
                try await body(api, chargePoint)
            }
        }
    }

    @Test func remoteStartRunsARealTransactionAndRemoteStopEndsIt() async throws {
        try await Self.withChargePoint("REMOTE-1", tags: ["REMOTE-TAG"]) { api, chargePoint in
            let start = try await api.send(
                "POST", "/api/v1/charging-stations/REMOTE-1/remote-start",
                json: ["idTag": "REMOTE-TAG", "connectorId": 2])
            #expect(start.status == 200)
            #expect(start.object["status"] as? String == "Accepted")
            let transaction = try await Polling.eventuallyFound("the remote-started transaction") {
                try await api.transactions(of: "REMOTE-1").first { $0["connectorId"] as? Int == 2 }
                    .map(TransactionView.init)
            }
            #expect(transaction.idTag == "REMOTE-TAG")
            try await Polling.eventually("meter values") {
                try await api.meterValues(of: transaction.id).count >= 2
            }
            // The connector is taken now.
            let again = try await api.send(
                "POST", "/api/v1/charging-stations/REMOTE-1/remote-start",
                json: ["idTag": "REMOTE-TAG", "connectorId": 2])
            #expect(again.object["status"] as? String == "Rejected")
            #expect(chargePoint.status(ofConnector: 2) == "Charging")

            let stop = try await api.send(
                "POST", "/api/v1/charging-stations/REMOTE-1/remote-stop", json: ["transactionId": transaction.id])
            #expect(stop.object["status"] as? String == "Accepted")
            let stopped = try await Polling.eventuallyFound("the transaction stopped") {
                try await api.transactions(of: "REMOTE-1").first { $0["meterStop"] as? Int != nil }
                    .map(TransactionView.init)
            }
            #expect(stopped.stopReason == "Remote")
            let unknown = try await api.send(
                "POST", "/api/v1/charging-stations/REMOTE-1/remote-stop", json: ["transactionId": 999_999])
            #expect(unknown.object["status"] as? String == "Rejected")
        }
    }

    @Test func resetStopsTheSessionThenReconnectsAndBootsAgain() async throws {
        try await Self.withChargePoint("RESET-1", tags: ["RESET-TAG"]) { api, chargePoint in
            #expect(chargePoint.plugIn(connectorId: 1, idTag: "RESET-TAG"))
            try await Polling.eventually("a running transaction") {
                try await !api.transactions(of: "RESET-1").isEmpty
            }
            let reset = try await api.send(
                "POST", "/api/v1/charging-stations/RESET-1/calls/Reset", json: ["type": "Soft"])
            #expect(reset.status == 200)
            #expect(reset.object["status"] as? String == "Accepted")
            try await Polling.eventually("a second boot") {
                chargePoint.bootsAccepted == 2 && chargePoint.isBooted
            }
            let transaction = try await Polling.eventuallyFound("the transaction stopped by the reset") {
                try await api.transactions(of: "RESET-1").first { $0["meterStop"] as? Int != nil }
                    .map(TransactionView.init)
            }
            #expect(transaction.stopReason == "SoftReset")
            try await Polling.eventually("both boots logged, StopTransaction before the second") {
                let actions = try await api.receivedActions(of: "RESET-1")
                let boots = actions.indices.filter { actions[$0] == "BootNotification" }
                guard boots.count == 2, let stop = actions.firstIndex(of: "StopTransaction") else { return false }
                return stop < boots[1]
            }
            let station = try await api.send("GET", "/api/v1/charging-stations/RESET-1").object
            #expect(station["connected"] as? Bool == true)
        }
    }

    @Test func configurationKeysThroughCalls() async throws {
        try await Self.withChargePoint("CONFIG-1") { api, chargePoint in
            let path = "/api/v1/charging-stations/CONFIG-1/calls"
            let some = try await api.send(
                "POST", "\(path)/GetConfiguration",
                json: ["key": ["HeartbeatInterval", "meterValueSampleInterval", "NoSuchKey"]])
            #expect(some.status == 200)
            let keys = some.object["configurationKey"] as? [[String: Any]] ?? []
            #expect(keys.first { $0["key"] as? String == "HeartbeatInterval" }?["value"] as? String == "300")
            #expect(keys.first { $0["key"] as? String == "MeterValueSampleInterval" }?["value"] as? String == "0.2")
            #expect(some.object["unknownKey"] as? [String] == ["NoSuchKey"])

            func change(_ key: String, _ value: String) async throws -> String? {
                try await api.send("POST", "\(path)/ChangeConfiguration", json: ["key": key, "value": value])
                    .object["status"] as? String
            }
            #expect(try await change("MeterValueSampleInterval", "30") == "Accepted")
            #expect(try await change("HeartbeatInterval", "soon") == "Rejected")
            #expect(try await change("NumberOfConnectors", "8") == "Rejected")
            #expect(try await change("MeterValuesSampledData", "Energy.Active.Import.Register,Bogus") == "Rejected")
            #expect(try await change("WebSocketPingInterval", "30") == "RebootRequired")
            #expect(try await change("NoSuchKey", "1") == "NotSupported")

            let all = try await api.send("POST", "\(path)/GetConfiguration", json: [String: Any]())
            let everything = all.object["configurationKey"] as? [[String: Any]] ?? []
            #expect(everything.count > 30)
            #expect(
                everything.first { $0["key"] as? String == "MeterValueSampleInterval" }?["value"] as? String == "30")
            #expect(everything.first { $0["key"] as? String == "NumberOfConnectors" }?["readonly"] as? Bool == true)
            #expect(chargePoint.setting("MeterValueSampleInterval") == "30")
        }
    }
}
