import AmpereSimulator
import AmpereTestSupport
import Foundation
import Testing

/// A charging profile set through the central system changes the power the
/// simulated session draws, as its meter values show.
@Suite struct SmartChargingTests {
    @Test func powerFollowsTheProfileLimit() async throws {
        try await RemoteControlTests.withChargePoint("SMART-1", tags: ["SMART-TAG"]) { api, chargePoint in
            #expect(chargePoint.plugIn(connectorId: 1, idTag: "SMART-TAG"))
            let transaction = try await Polling.eventuallyFound("a transaction") {
                try await api.transactions(of: "SMART-1").first.map(TransactionView.init)
            }
            @Sendable func latestPower() async throws -> Double? {
                try await api.meterValues(of: transaction.id).map(SampleView.init)
                    .last { $0.measurand == "Power.Active.Import" && $0.context == "Sample.Periodic" }?.value
            }
            try await Polling.eventually("full power") { try await latestPower() ?? 0 > 5000 }

            let profile: [String: Any] = [
                "connectorId": 1,
                "csChargingProfiles": [
                    "chargingProfileId": 10, "transactionId": transaction.id, "stackLevel": 1,
                    "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Relative",
                    "chargingSchedule": [
                        "chargingRateUnit": "A", "chargingSchedulePeriod": [["startPeriod": 0, "limit": 4]],
                    ],
                ],
            ]
            let set = try await api.send(
                "POST", "/api/v1/charging-stations/SMART-1/calls/SetChargingProfile", json: profile)
            #expect(set.object["status"] as? String == "Accepted")
            // 4 A on three phases at 230 V (±2 V).
            try await Polling.eventually("power at the limit") {
                guard let power = try await latestPower() else { return false }
                return power <= 4 * 3 * 232 && power > 4 * 3 * 228
            }
            let cleared = try await api.send(
                "POST", "/api/v1/charging-stations/SMART-1/calls/ClearChargingProfile", json: ["id": 10])
            #expect(cleared.object["status"] as? String == "Accepted")
            try await Polling.eventually("full power again") { try await latestPower() ?? 0 > 5000 }
        }
    }
}
