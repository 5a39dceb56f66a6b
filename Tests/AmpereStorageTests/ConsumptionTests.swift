import AmpereDomain
import AmpereStorage
import Testing

/// Each transaction's consumption, kept up to date as meter values arrive.
@Suite struct ConsumptionTests {
    @Test func contributionsReadTheMainMeterInBaseUnits() {
        let samples = [
            Fixtures.sample(transaction: 1, at: 10, value: "1.5", unit: "kWh"),
            Fixtures.sample(transaction: 1, at: 20, value: "1600"),
            // A phase, another location, signed data or a non-number never counts as the main meter.
            Fixtures.sample(transaction: 1, at: 20, value: "9000", phase: "L1"),
            Fixtures.sample(transaction: 1, at: 20, value: "9000", location: "EV"),
            Fixtures.sample(transaction: 1, at: 20, value: "9000", format: "SignedData"),
            Fixtures.sample(transaction: 1, at: 10, value: "7.4", measurand: "Power.Active.Import", unit: "kW"),
            Fixtures.sample(transaction: 1, at: 20, value: "3700", measurand: "Power.Active.Import", unit: "W"),
            Fixtures.sample(transaction: 1, at: 20, value: "nan", measurand: "Power.Active.Import", unit: "W"),
            Fixtures.sample(transaction: 2, at: 5, value: "10", measurand: "SoC", unit: "Percent"),
            Fixtures.sample(transaction: nil, at: 30, value: "5"),
        ]
        let parts = TransactionConsumption.contributions(of: samples)
        #expect(Set(parts.keys) == [1, 2])
        let first = try! #require(parts[1])
        #expect(first.energyRegisterWh == 1600)
        #expect(first.maxPowerW == 7400)
        #expect(first.lastSampleAt == Fixtures.date(20))
        #expect(first.lastValues.count == 6)
        #expect(first.lastValues.first?.value == "1600")
        #expect(parts[2]?.energyRegisterWh == nil && parts[2]?.maxPowerW == nil)
        #expect(parts[2]?.lastValues == [MeterReading(measurand: "SoC", value: "10", unit: "Percent", context: "Sample.Periodic")])
    }

    @Test(arguments: StorageBackend.all)
    func consumptionFollowsTheValuesInAnyOrderAndIgnoresResends(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            let tx = try await transactions.start(Fixtures.start(meterStart: 1000), status: .accepted).id
            #expect(try await transactions.transaction(tx)?.consumption == TransactionConsumption())

            let newer = [
                Fixtures.sample(transaction: tx, at: 60, value: "1500"),
                Fixtures.sample(transaction: tx, at: 60, value: "3.6", measurand: "Power.Active.Import", unit: "kW"),
            ]
            let older = [
                Fixtures.sample(transaction: tx, at: 30, value: "1200"),
                Fixtures.sample(transaction: tx, at: 30, value: "11000", measurand: "Power.Active.Import", unit: "W"),
            ]
            try await transactions.addMeterSamples(newer)
            // A late batch (an offline queue) raises the maximum but leaves the newest values alone.
            try await transactions.addMeterSamples(older)
            try await transactions.addMeterSamples(newer)
            let consumption = try #require(try await transactions.transaction(tx)?.consumption)
            #expect(consumption.energyRegisterWh == 1500)
            #expect(consumption.maxPowerW == 11000)
            #expect(consumption.lastSampleAt == Fixtures.date(60))
            #expect(consumption.lastValues.map(\.value) == ["1500", "3.6"])

            // Lists carry it too, and another transaction is untouched.
            let other = try await transactions.start(Fixtures.start(connector: 2, meterStart: 5), status: .accepted).id
            let page = try await transactions.transactions(TransactionFilter(), PageRequest())
            #expect(page.items.first { $0.id == tx }?.consumption == consumption)
            #expect(page.items.first { $0.id == other }?.consumption == TransactionConsumption())
        }
    }

    @Test(arguments: StorageBackend.all)
    func oneBatchFoldsIntoEveryTransactionItTouchesAndNoOther(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            let first = try await transactions.start(Fixtures.start(connector: 1), status: .accepted).id
            let second = try await transactions.start(Fixtures.start(connector: 2), status: .accepted).id
            let onlySoC = try await transactions.start(Fixtures.start(connector: 3), status: .accepted).id
            let untouched = try await transactions.start(Fixtures.start(connector: 4), status: .accepted).id
            try await transactions.addMeterSamples([
                Fixtures.sample(connector: 1, transaction: first, at: 10, value: "1234.5"),
                Fixtures.sample(
                    connector: 2, transaction: second, at: 20, value: "7.25", measurand: "Power.Active.Import", unit: "kW"),
                Fixtures.sample(connector: 2, transaction: second, at: 20, value: "2", unit: "kWh"),
                Fixtures.sample(connector: 3, transaction: onlySoC, at: 30, value: "42", measurand: "SoC", unit: "Percent"),
                Fixtures.sample(connector: 1, transaction: first, at: 5, value: "1000"),
            ])
            let one = try #require(try await transactions.transaction(first)?.consumption)
            #expect(one.energyRegisterWh == 1234.5)
            #expect(one.maxPowerW == nil)
            #expect(one.lastSampleAt == Fixtures.date(10))
            #expect(one.lastValues.map(\.value) == ["1234.5"])
            let two = try #require(try await transactions.transaction(second)?.consumption)
            #expect(two.energyRegisterWh == 2000)
            #expect(two.maxPowerW == 7250)
            #expect(two.lastValues.map(\.value) == ["7.25", "2"])
            let soc = try #require(try await transactions.transaction(onlySoC)?.consumption)
            #expect(soc.energyRegisterWh == nil)
            #expect(soc.maxPowerW == nil)
            #expect(soc.lastSampleAt == Fixtures.date(30))
            #expect(soc.lastValues.map(\.measurand) == ["SoC"])
            #expect(try await transactions.transaction(untouched)?.consumption == TransactionConsumption())

            // The next batch: a lower reading and an older time leave the first alone; values of the
            // stored time replace the stored ones.
            try await transactions.addMeterSamples([
                Fixtures.sample(connector: 1, transaction: first, at: 8, value: "1100"),
                Fixtures.sample(connector: 2, transaction: second, at: 20, value: "2500"),
            ])
            #expect(try await transactions.transaction(first)?.consumption == one)
            let again = try #require(try await transactions.transaction(second)?.consumption)
            #expect(again.energyRegisterWh == 2500)
            #expect(again.maxPowerW == 7250)
            #expect(again.lastValues.map(\.value) == ["2500"])
        }
    }
}
