import AmpereDomain
import AmpereStorage
import Foundation
import Testing

@Suite struct BadInputTests {
    @Test(arguments: StorageBackend.all)
    func oddTextAndExtremeDatesAreStoredWithoutHarm(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let storage = opened.storage
            let id = "'; DROP TABLE stations; -- ⚡️x"
            var station = ChargingStation(id: id, createdAt: .distantPast)
            station.bootDetails = ["quote\"key": "line\nbreak", "": ""]
            station.lastSeen = .distantFuture
            #expect(try await storage.stations.create(station))
            let stored = try #require(try await storage.stations.station(id))
            #expect(stored.id == id)
            #expect(stored.bootDetails == station.bootDetails)
            #expect(abs(stored.lastSeen!.timeIntervalSince(.distantFuture)) < 0.001)
            #expect(abs(stored.createdAt.timeIntervalSince(.distantPast)) < 0.001)

            // Beyond what the column holds, a date is clamped rather than trapping.
            let far = Date(timeIntervalSince1970: 1e300)
            #expect(try await storage.tags.create(IdTag(idTag: "ß-tag", status: .accepted, expiryDate: far)))
            #expect(try await storage.tags.tag("SS-TAG")?.expiryDate?.timeIntervalSince1970 ?? 0 > 2e11)
            try await storage.transactions.addMeterSamples([
                Fixtures.sample(transaction: 1, at: 0, value: "", measurand: "", unit: "")
            ])
            #expect(
                try await storage.transactions.meterSamples(transactionId: 1, PageRequest()).items.first?.value == "")
            #expect(try await storage.stations.stations(PageRequest(limit: -5, offset: -3)).items.isEmpty)
            #expect(try await storage.stations.stations(PageRequest(limit: 10, offset: Int.max)).total == 1)
        }
    }
}
