import AmpereDomain
import Foundation
import Logging
import SQLKit
import Testing

@testable import AmpereStorage

/// The group-committing writer on each backend: bursts share commits, a failing write fails alone.
@Suite struct GroupCommitTests {
    /// Holds the writer until `count` writes are queued, then lets them go as one batch.
    static func releaseWhenQueued(_ sqlite: OpenStorage, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while sqlite.database.writer.queued < count {
            try #require(
                ContinuousClock.now < deadline, "only \(sqlite.database.writer.queued) of \(count) writes queued")
            try await Task.sleep(for: .milliseconds(1))
        }
        sqlite.database.writer.release()
    }

    /// Runs `bodies` as one batch of the writer, queued in the list's order; their results in that order.
    static func runAsOneBatch<T: Sendable>(
        _ opened: OpenStorage, _ bodies: [@Sendable () async throws -> T]
    ) async throws -> [T] {
        let writer = opened.database.writer
        writer.hold()
        return try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for (index, body) in bodies.enumerated() {
                group.addTask { (index, try await body()) }
                while writer.queued < index + 1 { try await Task.sleep(for: .milliseconds(1)) }
            }
            writer.release()
            return try await group.reduce(into: [Int: T]()) { $0[$1.0] = $1.1 }.sorted { $0.key < $1.key }.map(\.value)
        }
    }

    @Test(arguments: StorageBackend.all)
    func concurrentWritesAllLandAndShareCommits(backend: StorageBackend) async throws {
        try await backend.withStorage { sqlite in
            let storage = sqlite.storage
            for index in 0..<10 { _ = try await storage.stations.ensure("CP\(index)", at: Fixtures.date(0)) }
            let before = sqlite.statistics()!
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<500 {
                    group.addTask {
                        if index.isMultiple(of: 2) {
                            try await storage.stations.recordSeen(
                                "CP\(index / 2 % 10)", ocppVersion: "1.6", at: Fixtures.date(index))
                        } else {
                            try await storage.transactions.addMeterSamples([
                                Fixtures.sample(
                                    station: "CP\(index % 10)", transaction: 1, at: index, value: "\(index)")
                            ])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let after = sqlite.statistics()!
            #expect(after.writes - before.writes == 500)
            #expect(after.commits - before.commits < 500)
            let samples = try await storage.transactions.meterSamples(transactionId: 1, PageRequest(limit: 1000))
            #expect(samples.total == 250)
            #expect(Set(samples.items.map(\.value)) == Set((0..<500).filter { !$0.isMultiple(of: 2) }.map { "\($0)" }))
            for index in 0..<10 {
                let station = try await storage.stations.station("CP\(index)")
                #expect(station?.lastSeen != nil && station?.ocppVersion == "1.6")
            }
        }
    }

    @Test(arguments: StorageBackend.all)
    func aFailingWriteFailsOnlyItsCaller(backend: StorageBackend) async throws {
        try await backend.withStorage { sqlite in
            let storage = sqlite.storage
            _ = try await storage.stations.ensure("CP1", at: Fixtures.date(0))
            let before = sqlite.statistics()!
            sqlite.database.writer.hold()
            async let released: Void = Self.releaseWhenQueued(sqlite, count: 21)
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for index in 0..<21 {
                    group.addTask {
                        do {
                            if index == 10 {
                                // Breaks the foreign key to stations.
                                try await storage.stations.updateConnector(
                                    ConnectorStatus(
                                        stationId: "ghost", connectorId: 1, status: "Available", errorCode: nil,
                                        reportedAt: nil, updatedAt: Fixtures.date(0)))
                            } else {
                                _ = try await storage.tags.create(IdTag(idTag: "T\(index)", status: .accepted))
                            }
                            return (index, true)
                        } catch let error as StorageError {
                            return (index, error.code != .constraintViolation)
                        } catch {
                            return (index, true)
                        }
                    }
                }
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            try await released
            #expect(outcomes.filter { !$0.value }.map(\.key) == [10])
            let after = sqlite.statistics()!
            #expect(after.writes - before.writes == 21)
            #expect(after.commits - before.commits == 1)
            // PostgreSQL ran the batch without savepoints first, then again with them.
            let rerun = sqlite.database.writer.traits.failedStatementAbortsTransaction
            #expect(after.reruns - before.reruns == (rerun ? 1 : 0))
            #expect(try await storage.tags.tags(PageRequest()).total == 20)
        }
    }

    /// A batch in which nothing fails takes no savepoint on PostgreSQL (each is a round trip there);
    /// on SQLite a write of several statements still takes one.
    @Test(arguments: StorageBackend.all)
    func aBatchWithoutFailuresTakesSavepointsOnlyOnSQLite(backend: StorageBackend) async throws {
        try await backend.withStorage { opened in
            let before = opened.statistics()!
            opened.database.writer.hold()
            async let released: Void = Self.releaseWhenQueued(opened, count: 10)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        try await opened.database.executeForTesting([
                            "INSERT INTO settings (key, value) VALUES ('a\(index)', 'x')",
                            "INSERT INTO settings (key, value) VALUES ('b\(index)', 'y')",
                        ])
                    }
                }
                try await group.waitForAll()
            }
            try await released
            let after = opened.statistics()!
            #expect(after.commits - before.commits == 1)
            #expect(after.reruns == before.reruns)
            let postgres = opened.database.writer.traits.failedStatementAbortsTransaction
            #expect(after.savepoints - before.savepoints == (postgres ? 0 : 10))
            for index in [0, 9] {
                #expect(try await opened.storage.settings.setting("a\(index)") == "x")
                #expect(try await opened.storage.settings.setting("b\(index)") == "y")
            }
        }
    }

    @Test(arguments: StorageBackend.all)
    func aFailedWriteLeavesNoPartialEffects(backend: StorageBackend) async throws {
        try await backend.withStorage { sqlite in
            sqlite.database.writer.hold()
            async let released: Void = Self.releaseWhenQueued(sqlite, count: 3)
            async let kept = sqlite.storage.settings.settingIfAbsent("before", "1")
            async let failed: Void = sqlite.database.executeForTesting([
                "INSERT INTO settings (key, value) VALUES ('partial', 'a')",
                "INSERT INTO settings (key, value) VALUES ('partial', 'b')",
            ])
            async let alsoKept = sqlite.storage.settings.settingIfAbsent("after", "2")
            try await released
            #expect(try await kept == "1")
            #expect(try await alsoKept == "2")
            let failure: StorageError?
            do {
                try await failed
                failure = nil
            } catch {
                failure = error as? StorageError
            }
            #expect(failure?.code == .constraintViolation)
            #expect(try await sqlite.storage.settings.setting("partial") == nil)
            #expect(try await sqlite.storage.settings.setting("before") == "1")
            #expect(try await sqlite.storage.settings.setting("after") == "2")
        }
    }

    @Test(arguments: StorageBackend.all)
    func writesQueuedAtCloseAreStillAnswered(backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let opened = try await database.open()
            opened.database.writer.hold()
            async let written = opened.storage.tags.create(IdTag(idTag: "late", status: .accepted))
            while opened.database.writer.queued < 1 { try await Task.sleep(for: .milliseconds(1)) }
            try await opened.close()
            #expect(try await written)
            let reopened = try await database.open()
            let tag = try await reopened.storage.tags.tag("LATE")
            try await reopened.close()
            #expect(tag?.idTag == "late")
        }
    }

    /// Many charge points' MeterValues queued together become one merged write: every value
    /// lands, in one commit, and each transaction's consumption counts them all.
    @Test(arguments: StorageBackend.all)
    func meterValuesQueuedTogetherMergeIntoOneWrite(backend: StorageBackend) async throws {
        try await backend.withStorage { opened in
            let storage = opened.storage
            let tx = try await storage.transactions.start(Fixtures.start(), status: .accepted).id
            let before = opened.statistics()!
            opened.database.writer.hold()
            async let released: Void = Self.releaseWhenQueued(opened, count: 20)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await storage.transactions.addMeterSamples([
                            Fixtures.sample(transaction: tx, at: index, value: "\(index * 10)"),
                            Fixtures.sample(
                                station: "CP\(index)", transaction: nil, at: index, value: "\(index)",
                                measurand: "Voltage", unit: "V"),
                        ])
                    }
                }
                try await group.waitForAll()
            }
            try await released
            let after = opened.statistics()!
            #expect(after.writes - before.writes == 20)
            #expect(after.commits - before.commits == 1)
            // Merged at the first try (20 new series at once among them): no failed run to retry.
            #expect(after.reruns == before.reruns)
            let values = try await storage.transactions.meterSamples(transactionId: tx, PageRequest(limit: 100))
            #expect(values.items.map(\.value) == (0..<20).map { "\($0 * 10)" })
            let consumption = try #require(try await storage.transactions.transaction(tx)?.consumption)
            #expect(consumption.energyRegisterWh == 190)
            #expect(consumption.lastSampleAt == Fixtures.date(19))
            for index in [0, 19] {
                #expect(try await storage.transactions.latestMeterSamples(stationId: "CP\(index)").map(\.value) == ["\(index)"])
            }
        }
    }

    /// Resent MeterValues in a merged write: one of values stored already and two of the same new
    /// values in one batch. Every caller succeeds and each value is stored once. On PostgreSQL the
    /// merged INSERT skips no resends on the batch's first pass (that costs an index search per
    /// row); a resend fails that pass, and the rerun skips it.
    @Test(arguments: StorageBackend.all)
    func meterValuesResentInAMergedWriteAreStoredOnce(backend: StorageBackend) async throws {
        try await backend.withStorage { opened in
            let transactions = opened.storage.transactions
            let tx = try await transactions.start(Fixtures.start(), status: .accepted).id
            let stored = Fixtures.sample(transaction: tx, at: 1, value: "10")
            try await transactions.addMeterSamples([stored])
            let new = Fixtures.sample(transaction: tx, at: 2, value: "20")
            let other = Fixtures.sample(station: "CP2", transaction: nil, at: 3, value: "230", measurand: "Voltage", unit: "V")
            let before = opened.statistics()!
            _ = try await Self.runAsOneBatch(opened, [
                { @Sendable in try await transactions.addMeterSamples([stored]) },
                { @Sendable in try await transactions.addMeterSamples([new]) },
                { @Sendable in try await transactions.addMeterSamples([new]) },
                { @Sendable in try await transactions.addMeterSamples([other]) },
            ])
            let after = opened.statistics()!
            #expect(after.writes - before.writes == 4)
            #expect(after.commits - before.commits == 1)
            let rerun = opened.database.writer.traits.failedStatementAbortsTransaction
            #expect(after.reruns - before.reruns == (rerun ? 1 : 0))
            let values = try await transactions.meterSamples(transactionId: tx, PageRequest(limit: 100))
            #expect(values.total == 2)
            #expect(values.items.map(\.value) == ["10", "20"])
            #expect(try await transactions.latestMeterSamples(stationId: "CP2").map(\.value) == ["230"])
            #expect(try await transactions.transaction(tx)?.consumption.energyRegisterWh == 20)

            // New values only: the first pass stores them, with nothing to run again.
            _ = try await Self.runAsOneBatch(opened, (4..<8).map { at in
                { @Sendable in try await transactions.addMeterSamples([Fixtures.sample(transaction: tx, at: at, value: "\(at * 10)")]) }
            })
            #expect(opened.statistics()!.reruns == after.reruns)
            #expect(try await transactions.meterSamples(transactionId: tx, PageRequest(limit: 100)).total == 6)
        }
    }

    /// When the merged run of a kind fails, its writes run one by one: only the bad one fails.
    @Test(arguments: StorageBackend.all)
    func aFailingMergedRunFallsBackToOneByOne(backend: StorageBackend) async throws {
        try await backend.withStorage { opened in
            let writer = opened.database.writer
            @Sendable func insert(_ keys: [String], _ db: any SQLDatabase) async throws {
                for key in keys {
                    // A key of "bad" breaks NOT NULL on purpose.
                    let value: String? = key == "bad" ? nil : "v"
                    try await db.raw("INSERT INTO settings (key, value) VALUES (\(bind: key), \(bind: value))").run()
                }
            }
            writer.hold()
            async let released: Void = Self.releaseWhenQueued(opened, count: 5)
            let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
                for key in ["a", "b", "bad", "c", "d"] {
                    group.addTask {
                        do {
                            try await writer.write(
                                merge: WriteMerge(kind: "test", item: key) { items, db in
                                    try await insert(items.compactMap { $0 as? String }, db)
                                }
                            ) { db in try await insert([key], db) }
                            return (key, true)
                        } catch {
                            return (key, false)
                        }
                    }
                }
                return await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
            }
            try await released
            #expect(outcomes == ["a": true, "b": true, "bad": false, "c": true, "d": true])
            for key in ["a", "b", "c", "d"] { #expect(try await opened.storage.settings.setting(key) == "v") }
            #expect(try await opened.storage.settings.setting("bad") == nil)
        }
    }

    /// Boots queued together all land, in one commit; of a station's two boots the later one wins
    /// (on PostgreSQL they are one merged UPDATE).
    @Test(arguments: StorageBackend.all)
    func bootsQueuedTogetherAllLandAndTheLaterWins(backend: StorageBackend) async throws {
        try await backend.withStorage { opened in
            let stations = opened.storage.stations
            for id in ["CP0", "CP1", "CP2"] { _ = try await stations.ensure(id, at: Fixtures.date(0)) }
            func report(_ vendor: String, serial: String? = "SN") -> BootReport {
                BootReport(
                    vendor: vendor, model: "M", serialNumber: serial, firmwareVersion: serial.map { "fw-\($0)" },
                    details: ["meterType": "\"quoted\" é"], ocppVersion: "1.6")
            }
            let boots = [("CP0", report("Old")), ("CP1", report("Nil", serial: nil)), ("CP0", report("New")), ("CP2", report("Acme"))]
            let before = opened.statistics()!
            _ = try await Self.runAsOneBatch(
                opened,
                boots.enumerated().map { index, boot in
                    { @Sendable in try await stations.recordBoot(boot.0, report: boot.1, at: Fixtures.date(10 + index)) }
                })
            let after = opened.statistics()!
            #expect(after.commits - before.commits == 1)
            // Nothing failed: no savepoint, and no second run (a failing merged UPDATE would show here).
            #expect(after.savepoints == before.savepoints)
            #expect(after.reruns == before.reruns)
            let cp0 = try #require(try await stations.station("CP0"))
            #expect(cp0.vendor == "New")
            #expect(cp0.lastBootAt == Fixtures.date(12))
            #expect(cp0.lastSeen == Fixtures.date(12))
            let cp1 = try #require(try await stations.station("CP1"))
            #expect(cp1.vendor == "Nil")
            #expect(cp1.serialNumber == nil && cp1.firmwareVersion == nil)
            #expect(cp1.bootDetails == ["meterType": "\"quoted\" é"])
            #expect(cp1.ocppVersion == "1.6")
            #expect(try await stations.station("CP2")?.vendor == "Acme")
        }
    }

    /// Statuses queued together all land in the history in order, and of a connector's two statuses
    /// the later is its current one (on PostgreSQL two merged statements for the lot); a status of an
    /// unknown station fails alone.
    @Test(arguments: StorageBackend.all)
    func statusesQueuedTogetherAllLandAndTheLaterWins(backend: StorageBackend) async throws {
        try await backend.withStorage { opened in
            let stations = opened.storage.stations
            for id in ["CP1", "CP2"] { _ = try await stations.ensure(id, at: Fixtures.date(0)) }
            func status(_ station: String, _ connector: Int, _ status: String, at seconds: Int) -> ConnectorStatus {
                ConnectorStatus(
                    stationId: station, connectorId: connector, evseId: connector == 0 ? nil : 1, status: status,
                    errorCode: "NoError", info: "é \"\(seconds)\"", vendorId: nil, vendorErrorCode: nil,
                    reportedAt: seconds.isMultiple(of: 2) ? Fixtures.date(seconds) : nil, updatedAt: Fixtures.date(seconds))
            }
            let statuses = [
                status("CP1", 1, "Available", at: 1), status("CP1", 2, "Charging", at: 2),
                status("CP1", 1, "Faulted", at: 3), status("CP2", 0, "Unavailable", at: 4),
            ]
            let before = opened.statistics()!
            _ = try await Self.runAsOneBatch(
                opened, statuses.map { status in { @Sendable in try await stations.updateConnector(status) } })
            let after = opened.statistics()!
            #expect(after.commits - before.commits == 1)
            // A failing merged statement would show as a rerun.
            #expect(after.reruns == before.reruns)
            let current = try await stations.connectors(of: "CP1")
            #expect(current == [statuses[2], statuses[1]])
            #expect(try await stations.connectors(of: "CP2") == [statuses[3]])
            let history = try await stations.connectorHistory(of: "CP1", PageRequest(limit: 10, offset: 0))
            #expect(history.items == [statuses[2], statuses[1], statuses[0]])

            // A ghost's status breaks the foreign key; the merged run fails, and each runs alone.
            let mixed = [status("CP2", 1, "Preparing", at: 5), status("ghost", 1, "Available", at: 6)]
            let outcomes = try await Self.runAsOneBatch(
                opened,
                mixed.map { status in
                    { @Sendable in
                        do {
                            try await stations.updateConnector(status)
                            return true
                        } catch {
                            return false
                        }
                    }
                })
            #expect(outcomes == [true, false])
            #expect(try await stations.connectors(of: "CP2").map(\.status) == ["Unavailable", "Preparing"])
        }
    }

    /// Starts and then stops queued together (on PostgreSQL one merged statement each): a resend in
    /// the same batch or of a stored start gets the same transaction, a stop of another station's
    /// transaction or of an unknown one gets none, and a resent stop gets the stopped transaction.
    @Test(arguments: StorageBackend.all)
    func startsAndStopsQueuedTogetherKeepTheirIdempotency(backend: StorageBackend) async throws {
        try await backend.withStorage { opened in
            let transactions = opened.storage.transactions
            let stored = try await transactions.start(Fixtures.start(connector: 3, meterStart: 30, at: 3), status: .accepted)
            let before = opened.statistics()!
            let a = Fixtures.start(connector: 1, idTag: "tag-a", meterStart: 10, at: 1)
            let b = Fixtures.start(station: "CP2", connector: 1, idTag: "TAG-B", meterStart: 20, at: 2)
            let started = try await Self.runAsOneBatch(opened, [
                { @Sendable in try await transactions.start(a, status: .accepted) },
                { @Sendable in try await transactions.start(b, status: .invalid) },
                { @Sendable in try await transactions.start(a, status: .accepted) },
                { @Sendable in try await transactions.start(Fixtures.start(connector: 3, meterStart: 30, at: 3), status: .accepted) },
            ])
            #expect(started[0].id == started[2].id)
            #expect(started[3] == stored)
            #expect(Set(started.map(\.id)).count == 3)
            #expect(started[1].stationId == "CP2" && started[1].idTag == "TAG-B" && started[1].startStatus == .invalid)
            #expect(started[1].meterStart == 20 && started[1].startedAt == Fixtures.date(2))
            #expect(try await transactions.transactions(TransactionFilter(), PageRequest()).total == 3)

            @Sendable func stop(_ id: Int, station: String = "CP1", meter: Int, at: Int) -> TransactionStop {
                TransactionStop(
                    transactionId: id, stationId: station, idTag: nil, meterStop: meter, timestamp: Fixtures.date(at),
                    reason: "Local")
            }
            let stopped = try await Self.runAsOneBatch(opened, [
                { @Sendable in try await transactions.stop(stop(started[0].id, meter: 110, at: 50)) },
                { @Sendable in try await transactions.stop(stop(started[1].id, station: "CP1", meter: 120, at: 51)) },
                { @Sendable in try await transactions.stop(stop(started[0].id, meter: 999, at: 52)) },
                { @Sendable in try await transactions.stop(stop(987_654, meter: 1, at: 53)) },
                { @Sendable in try await transactions.stop(stop(stored.id, meter: 130, at: 54)) },
            ])
            #expect(stopped[0]?.meterStop == 110 && stopped[0]?.stoppedAt == Fixtures.date(50))
            #expect(stopped[0]?.stopReason == "Local")
            #expect(stopped[1] == nil)
            #expect(stopped[2] == stopped[0])
            #expect(stopped[3] == nil)
            #expect(stopped[4]?.meterStop == 130)
            #expect(try await transactions.transaction(started[1].id)?.isActive == true)
            let after = opened.statistics()!
            #expect(after.commits - before.commits == 2)
            // Nothing failed: no second run (a failing merged statement would show here).
            #expect(after.reruns == before.reruns)
        }
    }
}
