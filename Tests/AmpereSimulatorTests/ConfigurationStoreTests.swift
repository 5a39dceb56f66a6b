import OCPP16
import Testing

@testable import AmpereSimulator

@Suite struct ConfigurationStoreTests {
    var store = ConfigurationStore(connectors: 3, meterValueSampleInterval: 0.2, heartbeatInterval: 120)

    @Test func getWithoutKeysListsEveryKey() {
        let all = store.get(nil)
        #expect(all.configurationKey?.count == ConfigurationStore.keys.count)
        #expect(all.unknownKey == nil)
        let connectors = all.configurationKey?.first { $0.key == "NumberOfConnectors" }
        #expect(connectors?.value == "3")
        #expect(connectors?.readonly == true)
        #expect(all.configurationKey?.first { $0.key == "ConnectorPhaseRotation" }?.value == "0.RST,1.RST,2.RST,3.RST")
    }

    @Test func getNamesKeysInAnyCaseAndReportsUnknownOnes() {
        let some = store.get(["heartbeatinterval", "MeterValueSampleInterval", "Nope"])
        #expect(some.configurationKey?.map(\.key) == ["HeartbeatInterval", "MeterValueSampleInterval"])
        #expect(some.configurationKey?.map(\.value) == ["120", "0.2"])
        #expect(some.unknownKey == ["Nope"])
    }

    @Test func changeFollowsTheRules() {
        var store = store
        #expect(store.change("HeartbeatInterval", to: "60") == .accepted)
        #expect(store.int("HeartbeatInterval", or: 0) == 60)
        #expect(store.change("HeartbeatInterval", to: "-1") == .rejected)
        #expect(store.change("HeartbeatInterval", to: "1.5") == .rejected)
        #expect(store.change("NumberOfConnectors", to: "4") == .rejected)
        #expect(store.change("LocalPreAuthorize", to: "TRUE") == .accepted)
        #expect(store.value("LocalPreAuthorize") == "true")
        #expect(store.bool("LocalPreAuthorize"))
        #expect(store.change("LocalPreAuthorize", to: "yes") == .rejected)
        #expect(store.change("MeterValuesSampledData", to: "Energy.Active.Import.Register, SoC") == .accepted)
        #expect(store.list("MeterValuesSampledData") == ["Energy.Active.Import.Register", "SoC"])
        #expect(store.change("MeterValuesSampledData", to: "Temperature") == .rejected)
        #expect(store.change("WebSocketPingInterval", to: "30") == .rebootRequired)
        #expect(store.value("WebSocketPingInterval") == "30")
        #expect(store.change("Unheard", to: "1") == .notSupported)
    }

    @Test func presetsMayHoldFractionalSampleIntervals() {
        var store = store
        #expect(store.seconds("MeterValueSampleInterval") == 0.2)
        let set = store.set("MeterValueSampleInterval", to: "0.5")
        #expect(set)
        #expect(store.seconds("MeterValueSampleInterval") == 0.5)
        #expect(store.change("MeterValueSampleInterval", to: "0.5") == .rejected)
        let unknown = store.set("NoSuchKey", to: "1")
        #expect(!unknown)
    }
}
