import AmpereDomain
import AmpereStorage
import Testing

@Suite struct MeterSampleTests {
    @Test(arguments: StorageBackend.all)
    func samplesComeBackOldestFirstWithDefaultsFilledIn(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            let tx = try await transactions.start(Fixtures.start(), status: .accepted).id
            let later = Fixtures.sample(transaction: tx, at: 20, value: "2000")
            let power = Fixtures.sample(
                transaction: tx, at: 10, value: "7.2", measurand: "Power.Active.Import", unit: "kW",
                context: "Sample.Clock", phase: "L1", location: "Outlet", format: "Raw")
            let energy = Fixtures.sample(transaction: tx, at: 10, value: "1000")
            try await transactions.addMeterSamples([later, energy])
            try await transactions.addMeterSamples([power])

            let page = try await transactions.meterSamples(transactionId: tx, PageRequest())
            #expect(page.total == 3)
            #expect(page.items == [energy, power, later])
            #expect(energy.measurand == MeterSample.defaultMeasurand)
            #expect(page.items[0].unit == "Wh" && page.items[0].context == "Sample.Periodic")
            #expect(page.items[0].phase == nil && page.items[0].location == nil && page.items[0].format == nil)
        }
    }

    /// Values travel to the database inside one JSON text: every character must come back as sent.
    @Test(arguments: StorageBackend.all)
    func valuesComeBackCharacterForCharacter(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            let values = [
                #"say "hi""#, #"back\slash\"#, "tab\tnew\nline\r", "bell\u{7}esc\u{1B}", "ünïcødé ⚡️ 電",
                "", "0012.50", "1e3", "[1,2]", "'; DROP TABLE meter_values; --",
            ]
            let samples = values.enumerated().map { Fixtures.sample(transaction: 3, at: $0.offset, value: $0.element) }
            try await transactions.addMeterSamples(samples)
            let page = try await transactions.meterSamples(transactionId: 3, PageRequest(limit: 100))
            #expect(page.items.map(\.value) == values)
        }
    }

    @Test(arguments: StorageBackend.all)
    func resentSamplesAreSkipped(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            let batch = (0..<50).map { Fixtures.sample(transaction: 1, at: $0, value: "\($0 * 10)") }
            try await transactions.addMeterSamples(batch)
            try await transactions.addMeterSamples(batch)
            // Within one batch too, and whatever the value: the key is series, time and kind.
            try await transactions.addMeterSamples([batch[0], Fixtures.sample(transaction: 1, at: 0, value: "999")])
            let page = try await transactions.meterSamples(transactionId: 1, PageRequest(limit: 1000))
            #expect(page.total == 50)
            #expect(page.items == batch)

            // Another phase, location, context or connector is another value.
            try await transactions.addMeterSamples([
                Fixtures.sample(transaction: 1, at: 0, value: "1", phase: "L2"),
                Fixtures.sample(transaction: 1, at: 0, value: "1", location: "Inlet"),
                Fixtures.sample(transaction: 1, at: 0, value: "1", context: "Transaction.Begin"),
                Fixtures.sample(connector: 2, transaction: 1, at: 0, value: "1"),
            ])
            #expect(try await transactions.meterSamples(transactionId: 1, PageRequest()).total == 54)
        }
    }

    @Test(arguments: StorageBackend.all)
    func samplesArePagedPerTransaction(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            let first = (0..<30).map { Fixtures.sample(transaction: 7, at: $0, value: "\($0)") }
            let other = (0..<5).map { Fixtures.sample(station: "CP2", transaction: 8, at: $0, value: "\($0)") }
            let outside = (0..<3).map { Fixtures.sample(transaction: nil, at: $0, value: "\($0)") }
            try await transactions.addMeterSamples(first + other + outside)

            let page = try await transactions.meterSamples(transactionId: 7, PageRequest(limit: 10, offset: 25))
            #expect(page.total == 30)
            #expect(page.items == Array(first[25...]))
            #expect(try await transactions.meterSamples(transactionId: 8, PageRequest()).items == other)
            #expect(try await transactions.meterSamples(transactionId: 9, PageRequest()).total == 0)
            #expect(try await transactions.meterSamples(transactionId: 0, PageRequest()).total == 0)
            try await transactions.addMeterSamples([])
        }
    }

    @Test(arguments: StorageBackend.all)
    func largeBatchesSpanSeveralStatements(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            let kinds = ["Energy.Active.Import.Register", "Power.Active.Import", "Current.Import"]
            let samples = (0..<2500).map {
                Fixtures.sample(transaction: 3, at: $0 / 3, value: "\($0)", measurand: kinds[$0 % 3])
            }
            try await transactions.addMeterSamples(samples)
            let page = try await transactions.meterSamples(transactionId: 3, PageRequest(limit: 3, offset: 2490))
            #expect(page.total == 2500)
            #expect(page.items == Array(samples[2490..<2493]))
        }
    }

    @Test(arguments: StorageBackend.all)
    func pruningRemovesOnlyOldValuesOfEverySeries(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            let tx = try await transactions.start(Fixtures.start(), status: .accepted).id
            // More series than one read of the walk looks at, and aged ones in more than one write,
            // between series that hold nothing aged.
            let many = (0..<1100).flatMap { (index: Int) -> [MeterSample] in
                let new = Fixtures.sample(station: "S\(index)", transaction: 1000 + index, at: 100, value: "2")
                guard index % 7 == 0 else { return [new] }
                return [Fixtures.sample(station: "S\(index)", transaction: 1000 + index, at: 10, value: "1"), new]
            }
            let mine = (0..<10).map { Fixtures.sample(transaction: tx, at: $0 * 20, value: "\($0 * 100)") }
            let outside = (0..<4).map { Fixtures.sample(transaction: nil, at: $0 * 40, value: "\($0)") }
            try await transactions.addMeterSamples(many + mine + outside)
            let before = try #require(try await transactions.transaction(tx))

            let removed = try await transactions.pruneMeterSamples(before: Fixtures.date(50))
            // Per transaction series: 10 of every seventh of the 1,100 others, 0,20,40 of mine; outside: 0 and 40.
            #expect(removed == 158 + 3 + 2)
            let kept = try await transactions.meterSamples(transactionId: tx, PageRequest())
            #expect(kept.items == Array(mine.dropFirst(3)))
            #expect(try await transactions.meterSamples(transactionId: 1007, PageRequest()).items.map(\.value) == ["2"])
            #expect(try await transactions.meterSamples(transactionId: 2099, PageRequest()).items.map(\.value) == ["2"])
            // The transaction and its consumption stay as they were.
            #expect(try await transactions.transaction(tx) == before)
            #expect(try await transactions.pruneMeterSamples(before: Fixtures.date(50)) == 0)
        }
    }

    @Test(arguments: StorageBackend.all)
    func latestValuesArePerConnectorTheNewestTimeInOrOutsideATransaction(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            #expect(try await transactions.latestMeterSamples(stationId: "CP1") == [])
            let first = try await transactions.start(Fixtures.start(at: 0), status: .accepted).id
            let second = try await transactions.start(Fixtures.start(at: 26), status: .accepted).id
            let newest = [
                Fixtures.sample(transaction: second, at: 30, value: "300"),
                Fixtures.sample(transaction: second, at: 30, value: "7", measurand: "Power.Active.Import", unit: "kW"),
            ]
            let idle = [
                Fixtures.sample(connector: 2, transaction: nil, at: 5, value: "5"),
                Fixtures.sample(connector: 2, transaction: nil, at: 15, value: "15"),
            ]
            try await transactions.addMeterSamples(
                [
                    Fixtures.sample(transaction: first, at: 10, value: "100"),
                    Fixtures.sample(transaction: first, at: 20, value: "200"),
                    Fixtures.sample(transaction: nil, at: 25, value: "250"),
                    Fixtures.sample(station: "CP2", transaction: nil, at: 99, value: "9"),
                ] + newest + idle)
            #expect(try await transactions.latestMeterSamples(stationId: "CP1") == newest + [idle[1]])
            // Values outside a transaction that are newer win on their connector.
            let later = Fixtures.sample(transaction: nil, at: 40, value: "400")
            try await transactions.addMeterSamples([later])
            #expect(try await transactions.latestMeterSamples(stationId: "CP1") == [later, idle[1]])
            // On a tie the values outside a transaction still win.
            try await transactions.addMeterSamples([Fixtures.sample(transaction: second, at: 40, value: "tie")])
            #expect(try await transactions.latestMeterSamples(stationId: "CP1") == [later, idle[1]])
        }
    }

    @Test(arguments: StorageBackend.all)
    func latestValuesFollowEachConnectorsNewestTransactionWhateverOrderTheValuesCameIn(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            // Thirty transactions on connector 1; the second newest sends its values last, as a
            // charge point replaying its queue after a reconnect does.
            var ids: [Int] = []
            for n in 0..<30 {
                ids.append(try await transactions.start(Fixtures.start(idTag: "T\(n)", at: n), status: .accepted).id)
            }
            try await transactions.addMeterSamples(
                ids.dropLast(2).enumerated().map { n, id in Fixtures.sample(transaction: id, at: 100 + n, value: "\(n)") })
            let newest = [Fixtures.sample(transaction: ids[29], at: 300, value: "newest")]
            try await transactions.addMeterSamples(newest)
            try await transactions.addMeterSamples([Fixtures.sample(transaction: ids[28], at: 200, value: "replayed")])
            // Connectors 3 and 7 too, with gaps between them: each is found by its key.
            let onThree = try await transactions.start(Fixtures.start(connector: 3, idTag: "C3", at: 40), status: .accepted).id
            let three = Fixtures.sample(connector: 3, transaction: onThree, at: 250, value: "three")
            let seven = Fixtures.sample(connector: 7, transaction: nil, at: 150, value: "seven")
            try await transactions.addMeterSamples([three, seven])
            #expect(try await transactions.latestMeterSamples(stationId: "CP1") == newest + [three, seven])
        }
    }

    @Test(arguments: StorageBackend.all)
    func valuesReadBackWithKindsThisStorageNeverWrote(backend: StorageBackend) async throws {
        // Kinds come from memory once known; a node that did not write them (here a storage opened
        // afterwards) reads them from the database first, and answers the same.
        try await backend.withDatabase { database in
            var transaction = 0
            var written: [MeterSample] = []
            try await database.withOpened { first in
                transaction = try await first.storage.transactions.start(Fixtures.start(at: 0), status: .accepted).id
                written = [
                    Fixtures.sample(transaction: transaction, at: 10, value: "100"),
                    Fixtures.sample(
                        transaction: transaction, at: 10, value: "7.2", measurand: "Power.Active.Import", unit: "kW",
                        phase: "L1", location: "Outlet", format: "Raw"),
                    Fixtures.sample(transaction: transaction, at: 20, value: "200"),
                    Fixtures.sample(
                        transaction: transaction, at: 20, value: "7.4", measurand: "Power.Active.Import", unit: "kW",
                        phase: "L1", location: "Outlet", format: "Raw"),
                ]
                try await first.storage.transactions.addMeterSamples(written)
            }
            try await database.withOpened { second in
                let transactions = second.storage.transactions
                let all = try await transactions.meterSamples(transactionId: transaction, PageRequest())
                #expect(all.items == written && all.total == 4)
                let page = try await transactions.meterSamples(
                    transactionId: transaction, PageRequest(limit: 2, offset: 1))
                #expect(page.items == Array(written[1...2]) && page.total == 4)
                #expect(try await transactions.meterSamples(transactionId: transaction + 1, PageRequest()).items == [])
            }
        }
    }
}
