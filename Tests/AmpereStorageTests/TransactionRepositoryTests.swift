import AmpereDomain
import AmpereStorage
import Testing

@Suite struct TransactionRepositoryTests {
    @Test(arguments: StorageBackend.all)
    func startStoresWhatTheStationReported(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            var start = Fixtures.start(idTag: "tag1", meterStart: 1234, at: 7, ms: 250)
            start.reservationId = 42
            let started = try await transactions.start(start, status: .accepted)
            #expect(started.id > 0)
            #expect(started.stationId == "CP1")
            #expect(started.connectorId == 1)
            #expect(started.idTag == "tag1")
            #expect(started.meterStart == 1234)
            #expect(started.startedAt == Fixtures.date(7, ms: 250))
            #expect(started.reservationId == 42)
            #expect(started.startStatus == .accepted)
            #expect(started.isActive)
            #expect(try await transactions.transaction(started.id) == started)
            #expect(try await transactions.transaction(started.id + 1000) == nil)
        }
    }

    @Test(arguments: StorageBackend.all)
    func aRepeatedStartReturnsTheOriginalTransaction(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            let first = try await transactions.start(Fixtures.start(idTag: "abc"), status: .accepted)
            // The same start resent, with the tag in another case and another answer computed meanwhile.
            let again = try await transactions.start(Fixtures.start(idTag: "ABC"), status: .concurrentTx)
            #expect(again == first)
            #expect(again.startStatus == .accepted)
            #expect(try await transactions.transactions(TransactionFilter(), PageRequest()).total == 1)

            let later = try await transactions.start(Fixtures.start(idTag: "abc", at: 1), status: .concurrentTx)
            #expect(later.id != first.id)
            #expect(later.startStatus == .concurrentTx)
            let otherMeter = try await transactions.start(
                Fixtures.start(idTag: "abc", meterStart: 101), status: .accepted)
            #expect(otherMeter.id != first.id && otherMeter.id != later.id)
            #expect(try await transactions.transactions(TransactionFilter(), PageRequest()).total == 3)
        }
    }

    @Test(arguments: StorageBackend.all)
    func concurrentStartsGetUniqueIncreasingIds(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            let ids = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        try await transactions.start(
                            Fixtures.start(station: "CP\(index % 7)", idTag: "T\(index)", at: index), status: .accepted
                        ).id
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(Set(ids).count == 200)
            let sorted = ids.sorted()
            #expect(sorted.last! - sorted.first! == 199)
            let next = try await transactions.start(Fixtures.start(idTag: "after", at: 999), status: .accepted)
            #expect(next.id > sorted.last!)
            #expect(try await transactions.transactions(TransactionFilter(), PageRequest()).total == 201)
        }
    }

    @Test(arguments: StorageBackend.all)
    func stopIsRecordedOnceAndUnknownIdsGiveNil(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            let started = try await transactions.start(Fixtures.start(meterStart: 100), status: .accepted)
            let stop = TransactionStop(
                transactionId: started.id, stationId: "CP1", idTag: "TAG1", meterStop: 1600,
                timestamp: Fixtures.date(60), reason: "Local")
            let stopped = try #require(try await transactions.stop(stop))
            #expect(stopped.id == started.id)
            #expect(stopped.meterStop == 1600)
            #expect(stopped.stoppedAt == Fixtures.date(60))
            #expect(stopped.stopReason == "Local")
            #expect(stopped.energyWh == 1500)
            #expect(!stopped.isActive)

            var second = stop
            second.meterStop = 9999
            second.timestamp = Fixtures.date(120)
            second.reason = "Remote"
            #expect(try await transactions.stop(second) == stopped)
            #expect(try await transactions.transaction(started.id) == stopped)

            var unknown = stop
            unknown.transactionId = started.id + 77
            #expect(try await transactions.stop(unknown) == nil)
            var foreign = stop
            foreign.stationId = "CP2"
            #expect(try await transactions.stop(foreign) == nil)
        }
    }

    @Test(arguments: StorageBackend.all)
    func activeTransactionOfATagIgnoresCase(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            #expect(try await transactions.activeTransaction(idTag: "abc") == nil)
            let started = try await transactions.start(Fixtures.start(idTag: "AbC"), status: .accepted)
            #expect(try await transactions.activeTransaction(idTag: "abc") == started)
            #expect(try await transactions.activeTransaction(idTag: "ABC")?.id == started.id)
            #expect(try await transactions.activeTransaction(idTag: "abd") == nil)
            _ = try await transactions.stop(
                TransactionStop(
                    transactionId: started.id, stationId: "CP1", idTag: nil, meterStop: 200,
                    timestamp: Fixtures.date(5), reason: nil))
            #expect(try await transactions.activeTransaction(idTag: "abc") == nil)
        }
    }

    @Test(arguments: StorageBackend.all)
    func listsFilterAndPageNewestFirst(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let transactions = opened.storage.transactions
            var ids: [Int] = []
            for index in 0..<5 {
                let station = index < 3 ? "CP1" : "CP2"
                ids.append(
                    try await transactions.start(Fixtures.start(station: station, at: index), status: .accepted).id)
            }
            _ = try await transactions.stop(
                TransactionStop(
                    transactionId: ids[1], stationId: "CP1", idTag: nil, meterStop: 500, timestamp: Fixtures.date(9),
                    reason: nil))

            let all = try await transactions.transactions(TransactionFilter(), PageRequest(limit: 2, offset: 1))
            #expect(all.total == 5)
            #expect(all.items.map(\.id) == [ids[3], ids[2]])

            let cp1 = try await transactions.transactions(TransactionFilter(stationId: "CP1"), PageRequest())
            #expect(cp1.items.map(\.id) == [ids[2], ids[1], ids[0]])
            let active = try await transactions.transactions(
                TransactionFilter(stationId: "CP1", active: true), PageRequest())
            #expect(active.items.map(\.id) == [ids[2], ids[0]])
            #expect(active.total == 2)
            let done = try await transactions.transactions(TransactionFilter(active: false), PageRequest())
            #expect(done.items.map(\.id) == [ids[1]])
            let byStationTx = try await transactions.transactions(
                TransactionFilter(stationTransactionId: "none"), PageRequest())
            #expect(byStationTx.total == 0 && byStationTx.items.isEmpty)
        }
    }
}
