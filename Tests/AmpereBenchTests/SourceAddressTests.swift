import NIOCore
import Testing

@testable import AmpereBench

/// Connections leave from several loopback addresses when told to, so that
/// a fleet larger than one address's ephemeral ports can connect.
@Suite struct SourceAddressTests {
    @Test func automaticCountGrowsWithTheFleet() {
        #expect(SourceAddresses.automatic(stations: 100).count == 1)
        #expect(SourceAddresses.automatic(stations: 25_000).count == 1)
        #expect(SourceAddresses.automatic(stations: 60_000).count == 3)
        #expect(SourceAddresses.automatic(stations: 60_000, url: "ws://127.0.0.1:8080/ocpp").count == 3)
        #expect(SourceAddresses.automatic(stations: 60_000, url: "ws://localhost:8080/ocpp").count == 1)
        #expect(SourceAddresses(count: 1).address(for: 7) == nil)
        #expect(SourceAddresses(count: 3).address(for: 4)?.ipAddress == "127.0.0.2")
    }

    @Test func connectionsAreSpreadOverTheAddresses() async throws {
        try await BenchTestServer.with { server in
            var load = server.load(6, prefix: "SRC")
            load.sourceAddresses = SourceAddresses(count: 3)
            let context = try StationContext(load)
            var addresses: [String] = []
            for index in 0..<6 {
                var station = StationDriver(index: index, context: context)
                guard case .accepted = await station.connectAndBoot(CallRecorder("boot"), until: .now + .seconds(10))
                else {
                    Issue.record("station \(index) did not boot")
                    continue
                }
                addresses.append(station.connection?.channel.localAddress?.ipAddress ?? "?")
                await station.close()
            }
            #expect(addresses == ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.1", "127.0.0.2", "127.0.0.3"])
        }
    }

    @Test func severalAddressesNeedALoopbackServer() {
        #expect(throws: BenchOptionsError.self) {
            try StationContext(
                LoadOptions(
                    url: "ws://192.0.2.1:8080/ocpp", stations: 1, idPrefix: "X", sourceAddresses: .init(count: 2)))
        }
    }
}
