import AmpereServer
import Foundation
import OCPP16
import OCPPCore
import Synchronization
import Testing

/// A charge point built on the project's own library, end to end against the server.
@Suite struct ChargePointFlowTests {
    static let boot = BootNotificationRequest(
        chargePointVendor: "VoltWorks", chargePointModel: "VW-Duo", chargePointSerialNumber: "SN-4711",
        firmwareVersion: "2.3.1")

    @Test func bootHeartbeatStatusAndStationView() async throws {
        try await ServerHarness.withServer(configuring: { $0.heartbeatInterval = 42 }) { (server: ServerHarness) async throws in
            try await ChargePointClient.run(server, id: "FLOW-1", router: .ocpp16()) { session in
                let boot = try await session.call(BootNotification.self, Self.boot)
                #expect(boot.status == .accepted)
                #expect(boot.interval == 42)
                #expect(abs(boot.currentTime.timeIntervalSinceNow) < 60)
                _ = try await session.call(Heartbeat.self, .init())
                _ = try await session.call(
                    StatusNotification.self, .init(connectorId: 1, errorCode: .noError, status: .charging))
                let api = try await APIClient.signedIn(server)
                let station = try await api.send("GET", "/api/v1/charging-stations/FLOW-1").object
                #expect(station["vendor"] as? String == "VoltWorks")
                #expect(station["serialNumber"] as? String == "SN-4711")
                #expect(station["connected"] as? Bool == true)
                let connectors = station["connectors"] as? [[String: Any]] ?? []
                #expect(connectors.first { $0["connectorId"] as? Int == 1 }?["status"] as? String == "Charging")
            }
        }
    }

    @Test func restCallReachesTheChargePointAndReturnsItsAnswer() async throws {
        let resets = Mutex<[String]>([])
        var router = OCPPRouter<Void>.ocpp16()
        router.on(Reset.self) { request, _ in
            resets.withLock { $0.append(request.type.rawValue) }
            return ResetResponse(status: .accepted)
        }
        let cpRouter = router
        try await ServerHarness.withServer { (server: ServerHarness) async throws in
            try await ChargePointClient.run(server, id: "FLOW-2", router: cpRouter) { session in
                _ = try await session.call(BootNotification.self, Self.boot)
                let api = try await APIClient.signedIn(server)
                let reply = try await api.send(
                    "POST", "/api/v1/charging-stations/FLOW-2/calls/Reset", json: ["type": "Soft"])
                #expect(reply.status == 200)
                #expect(reply.object["status"] as? String == "Accepted")
                let bad = try await api.send(
                    "POST", "/api/v1/charging-stations/FLOW-2/calls/Reset", json: ["type": "Sideways"])
                #expect(bad.status == 400)
            }
        }
        #expect(resets.withLock { $0 } == ["Soft"])
    }

    @Test func secondConnectionReplacesTheFirst() async throws {
        try await ServerHarness.withServer { (server: ServerHarness) async throws in
            let firstBooted = Mutex(false)
            let firstClosed = Mutex(false)
            async let first: Void = ChargePointClient.run(server, id: "TWIN", router: .ocpp16()) { session in
                _ = try await session.call(BootNotification.self, Self.boot)
                firstBooted.withLock { $0 = true }
                // Wait for the server to close this socket when the twin arrives.
                for _ in 0..<400 where !session.isClosed { try await Task.sleep(for: .milliseconds(50)) }
                firstClosed.withLock { $0 = session.isClosed }
            }
            for _ in 0..<400 where !firstBooted.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(25)) }
            try await ChargePointClient.run(server, id: "TWIN", router: .ocpp16()) { session in
                let boot = try await session.call(BootNotification.self, Self.boot)
                #expect(boot.status == .accepted)
            }
            try await first
            #expect(firstClosed.withLock { $0 })
        }
    }
}
