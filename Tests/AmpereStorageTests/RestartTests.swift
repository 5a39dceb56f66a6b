import AmpereDomain
import AmpereStorage
import Testing

@Suite struct RestartTests {
    @Test(arguments: StorageBackend.all)
    func reopeningKeepsEverything(backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let before = try await database.open()
            let storage = before.storage
            _ = try await storage.stations.ensure("CP1", at: Fixtures.date(0))
            #expect(try await storage.tags.create(IdTag(idTag: "tag", status: .accepted)))
            var started = try await storage.transactions.start(Fixtures.start(idTag: "tag"), status: .accepted)
            let samples = (0..<10).map { Fixtures.sample(transaction: started.id, at: $0, value: "\($0)") }
            try await storage.transactions.addMeterSamples(samples)
            started.consumption = TransactionConsumption(
                energyRegisterWh: 9, lastSampleAt: Fixtures.date(9), lastValues: [MeterReading(samples[9])])
            #expect(try await storage.settings.settingIfAbsent("key", "value") == "value")
            try await before.close()

            let after = try await database.open()
            do {
                let reopened = after.storage
                #expect(try await reopened.stations.station("CP1")?.createdAt == Fixtures.date(0))
                #expect(try await reopened.tags.tag("TAG")?.status == .accepted)
                #expect(try await reopened.transactions.transaction(started.id) == started)
                #expect(try await reopened.transactions.activeTransaction(idTag: "TAG")?.id == started.id)
                #expect(
                    try await reopened.transactions.meterSamples(transactionId: started.id, PageRequest()).items
                        == samples)
                #expect(try await reopened.settings.setting("key") == "value")
                // Ids go on after the restart; the repeated start still finds the original.
                let repeated = try await reopened.transactions.start(Fixtures.start(idTag: "tag"), status: .blocked)
                #expect(repeated == started)
                let next = try await reopened.transactions.start(Fixtures.start(idTag: "tag", at: 5), status: .accepted)
                #expect(next.id > started.id)
                // Resent values after the restart are still recognized.
                try await reopened.transactions.addMeterSamples(samples)
                #expect(
                    try await reopened.transactions.meterSamples(transactionId: started.id, PageRequest()).total == 10)
            } catch {
                try? await after.close()
                throw error
            }
            try await after.close()
        }
    }

    @Test(arguments: StorageBackend.all)
    func callsAfterCloseFailWithClosed(backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let opened = try await database.open()
            try await opened.close()
            try await opened.close()
            let readError = await #expect(throws: StorageError.self) {
                _ = try await opened.storage.stations.station("CP1")
            }
            #expect(readError?.code == .closed)
            let writeError = await #expect(throws: StorageError.self) {
                try await opened.storage.stations.recordSeen("CP1", ocppVersion: nil, at: Fixtures.date(0))
            }
            #expect(writeError?.code == .closed)
        }
    }
}
