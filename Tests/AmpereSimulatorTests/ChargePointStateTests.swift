import Foundation
import Testing

@testable import AmpereSimulator

@Suite struct ChargePointStateTests {
    static func state() -> ChargePointState {
        ChargePointState(configuration: ChargePointConfiguration(url: "ws://localhost/ocpp", id: "CP", connectors: 2))
    }

    @Test func claimsTheFirstFreeOperativeConnectorNotReservedForOthers() {
        var state = Self.state()
        state[connector: 1].reservation = .init(id: 1, idTag: "OTHER", expiryDate: .distantFuture)
        #expect(state.claimConnector(nil, for: "ME")?.connectorId == 2)
        #expect(state.claimConnector(nil, for: "ME") == nil)
        let reserved = state.claimConnector(nil, for: "other")
        #expect(reserved?.connectorId == 1)
        #expect(reserved?.reservationId == 1)
        var inoperative = Self.state()
        inoperative[connector: 1].operative = false
        #expect(inoperative.claimConnector(1, for: "ME") == nil)
        #expect(inoperative.claimConnector(3, for: "ME") == nil)
        #expect(inoperative[connector: 1].idleStatus == .unavailable)
    }

    @Test func offlineAuthorizationUsesTheLocalListThenTheCache() {
        var state = Self.state()
        #expect(state.offlineRecord(for: "T") == nil)
        state.cache["T"] = AuthorizationRecord(status: "Blocked")
        #expect(state.offlineRecord(for: "t")?.status == "Blocked")
        _ = state.settings.change("AuthorizationCacheEnabled", to: "false")
        #expect(state.offlineRecord(for: "t") == nil)
        #expect(
            AuthorizationRecord(status: "Accepted", expiryDate: Date(timeIntervalSinceNow: -1)).isAccepted(at: Date())
                == false)
    }

    @Test func settingsPresetsApply() {
        var configuration = ChargePointConfiguration(url: "ws://localhost/ocpp/", id: "A B/1", connectors: 1)
        configuration.settings = ["AllowOfflineTxForUnknownId": "true", "NumberOfConnectors": "9"]
        let state = ChargePointState(configuration: configuration)
        #expect(state.settings.bool("AllowOfflineTxForUnknownId"))
        #expect(state.settings.value("NumberOfConnectors") == "9")
        #expect(SimulatedChargePoint.endpoint("ws://localhost/ocpp/", id: "A B/1") == "ws://localhost/ocpp/A%20B%2F1")
        #expect(SimulatorConfiguration(count: 2, idPrefix: "SIM", template: configuration).id(at: 41) == "SIM-00042")
    }
}
