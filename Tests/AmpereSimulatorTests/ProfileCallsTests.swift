import AmpereSimulator
import AmpereTestSupport
import Foundation
import Testing

/// The other feature profiles' calls, through the server (which checks every
/// answer against its schema): each gets a valid and sensible answer.
@Suite struct ProfileCallsTests {
    @Test func everyProfileAnswers() async throws {
        try await RemoteControlTests.withChargePoint("CALLS-1", tags: ["CALLS-TAG"]) { api, chargePoint in
            func call(_ action: String, _ payload: [String: Any]) async throws -> [String: Any] {
                let reply = try await api.send(
                    "POST", "/api/v1/charging-stations/CALLS-1/calls/\(action)", json: payload)
                #expect(reply.status == 200, "\(action): \(String(decoding: reply.body, as: UTF8.self))")
                return reply.object
            }
            // Core.
            #expect(try await call("ClearCache", [:])["status"] as? String == "Accepted")
            #expect(
                try await call("DataTransfer", ["vendorId": "Ampere", "data": "ping"])["data"] as? String == "ping")
            #expect(try await call("DataTransfer", ["vendorId": "Other"])["status"] as? String == "UnknownVendorId")
            #expect(try await call("UnlockConnector", ["connectorId": 1])["status"] as? String == "Unlocked")
            #expect(try await call("UnlockConnector", ["connectorId": 9])["status"] as? String == "NotSupported")
            #expect(
                try await call("ChangeAvailability", ["connectorId": 2, "type": "Inoperative"])["status"] as? String
                    == "Accepted")
            try await Polling.eventually("connector 2 unavailable") {
                chargePoint.status(ofConnector: 2) == "Unavailable"
            }
            #expect(
                try await call("ChangeAvailability", ["connectorId": 2, "type": "Operative"])["status"] as? String
                    == "Accepted")

            // Local Auth List Management.
            #expect(try await call("GetLocalListVersion", [:])["listVersion"] as? Int == 0)
            let list: [String: Any] = [
                "listVersion": 3, "updateType": "Full",
                "localAuthorizationList": [["idTag": "LOCAL-1", "idTagInfo": ["status": "Accepted"]]],
            ]
            #expect(try await call("SendLocalList", list)["status"] as? String == "Accepted")
            #expect(try await call("GetLocalListVersion", [:])["listVersion"] as? Int == 3)
            let stale: [String: Any] = ["listVersion": 2, "updateType": "Differential"]
            #expect(try await call("SendLocalList", stale)["status"] as? String == "VersionMismatch")

            // Reservation.
            let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
            let reserve: [String: Any] = [
                "connectorId": 1, "expiryDate": expiry, "idTag": "CALLS-TAG", "reservationId": 7,
            ]
            #expect(try await call("ReserveNow", reserve)["status"] as? String == "Accepted")
            #expect(chargePoint.status(ofConnector: 1) == "Reserved")
            #expect(try await call("CancelReservation", ["reservationId": 7])["status"] as? String == "Accepted")
            #expect(try await call("CancelReservation", ["reservationId": 7])["status"] as? String == "Rejected")

            // Smart Charging: a 4 kW default limit shows in the composite schedule.
            let profile: [String: Any] = [
                "connectorId": 0,
                "csChargingProfiles": [
                    "chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
                    "chargingProfileKind": "Relative",
                    "chargingSchedule": [
                        "chargingRateUnit": "W", "chargingSchedulePeriod": [["startPeriod": 0, "limit": 4000]],
                    ],
                ],
            ]
            #expect(try await call("SetChargingProfile", profile)["status"] as? String == "Accepted")
            let composite = try await call("GetCompositeSchedule", ["connectorId": 1, "duration": 600])
            #expect(composite["status"] as? String == "Accepted")
            let schedule = composite["chargingSchedule"] as? [String: Any] ?? [:]
            let periods = schedule["chargingSchedulePeriod"] as? [[String: Any]] ?? []
            #expect((periods.first?["limit"] as? NSNumber)?.doubleValue == 4000)
            #expect(
                try await call("ClearChargingProfile", ["id": 1])["status"] as? String == "Accepted")
            #expect(
                try await call("ClearChargingProfile", ["id": 1])["status"] as? String == "Unknown")

            // Remote Trigger and Firmware Management.
            #expect(
                try await call("TriggerMessage", ["requestedMessage": "Heartbeat"])["status"] as? String == "Accepted")
            #expect(
                try await call("TriggerMessage", ["requestedMessage": "MeterValues", "connectorId": 5])["status"]
                    as? String == "Rejected")
            let diagnostics = try await call("GetDiagnostics", ["location": "ftp://example.com/logs/"])
            #expect((diagnostics["fileName"] as? String)?.hasPrefix("diagnostics-CALLS-1") == true)
            _ = try await call(
                "UpdateFirmware",
                [
                    "location": "https://example.com/fw/sim-2.0.0.bin",
                    "retrieveDate": ISO8601DateFormatter().string(from: Date()),
                ])
            try await Polling.eventually("the firmware installed after a reboot") {
                let actions = try await api.receivedActions(of: "CALLS-1")
                return actions.filter { $0 == "FirmwareStatusNotification" }.count >= 4
                    && actions.filter { $0 == "DiagnosticsStatusNotification" }.count >= 2
                    && chargePoint.bootsAccepted >= 2
            }
            let station = try await api.send("GET", "/api/v1/charging-stations/CALLS-1").object
            #expect(station["firmwareVersion"] as? String == "sim-2.0.0")
            let events = try await api.send(
                "GET", "/api/v1/charging-stations/CALLS-1/events?kind=FirmwareStatusNotification&limit=10"
            ).items
            let statuses = events.reversed().compactMap { ($0["payload"] as? [String: Any])?["status"] as? String }
            #expect(statuses == ["Downloading", "Downloaded", "Installing", "Installed"])
        }
    }
}
