import AmpereDomain
import AmpereStorage
import Testing

@Suite struct StationEventRepositoryTests {
    @Test(arguments: StorageBackend.all)
    func eventsListNewestFirstOptionallyByKind(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let events = opened.storage.events
            let kinds = ["DataTransfer", "FirmwareStatusNotification", "DataTransfer"]
            for (index, kind) in kinds.enumerated() {
                try await events.record(
                    StationEvent(stationId: "CP1", kind: kind, payload: "{\"n\":\(index)}", at: Fixtures.date(index)))
            }
            try await events.record(
                StationEvent(stationId: "CP2", kind: "DataTransfer", payload: "{}", at: Fixtures.date(9)))

            let all = try await events.events(stationId: "CP1", kind: nil, PageRequest())
            #expect(all.total == 3)
            #expect(all.items.map(\.payload) == ["{\"n\":2}", "{\"n\":1}", "{\"n\":0}"])
            let first = try #require(all.items.first)
            #expect(
                first
                    == StationEvent(
                        id: first.id, stationId: "CP1", kind: "DataTransfer", payload: "{\"n\":2}", at: Fixtures.date(2)
                    ))

            let transfers = try await events.events(
                stationId: "CP1", kind: "DataTransfer", PageRequest(limit: 1, offset: 1))
            #expect(transfers.total == 2)
            #expect(transfers.items.map(\.payload) == ["{\"n\":0}"])
        }
    }
}
