import AmpereDomain
import Foundation
import Logging
import Testing

@testable import AmpereStorage

/// The SQLite writer: bursts share commits, a failing write fails alone.
@Suite struct GroupCommitTests {
    /// Opens a SQLite storage in a fresh directory, runs `body`, closes and removes it.
    static func withSQLite(_ body: (SQLiteStorage) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ampere-group-commit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sqlite = try await SQLiteStorage.open(
            path: directory.appendingPathComponent("db.sqlite").path, logger: Logger(label: "test"))
        do {
            try await body(sqlite)
        } catch {
            try? await sqlite.close()
            throw error
        }
        try await sqlite.close()
    }

    /// Holds the writer until `count` writes are queued, then lets them go as one batch.
    static func releaseWhenQueued(_ sqlite: SQLiteStorage, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while sqlite.writer.queued < count {
            try #require(ContinuousClock.now < deadline, "only \(sqlite.writer.queued) of \(count) writes queued")
            try await Task.sleep(for: .milliseconds(1))
        }
        sqlite.writer.release()
    }

    @Test func concurrentWritesAllLandAndShareCommits() async throws {
        try await Self.withSQLite { sqlite in
            let storage = sqlite.storage
            for index in 0..<10 { _ = try await storage.stations.ensure("CP\(index)", at: Fixtures.date(0)) }
            let before = sqlite.writeStatistics
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
            let after = sqlite.writeStatistics
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

    @Test func aFailingWriteFailsOnlyItsCaller() async throws {
        try await Self.withSQLite { sqlite in
            let storage = sqlite.storage
            _ = try await storage.stations.ensure("CP1", at: Fixtures.date(0))
            let before = sqlite.writeStatistics
            sqlite.writer.hold()
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
            let after = sqlite.writeStatistics
            #expect(after.writes - before.writes == 21)
            #expect(after.commits - before.commits == 1)
            #expect(try await storage.tags.tags(PageRequest()).total == 20)
        }
    }

    @Test func aFailedWriteLeavesNoPartialEffects() async throws {
        try await Self.withSQLite { sqlite in
            sqlite.writer.hold()
            async let released: Void = Self.releaseWhenQueued(sqlite, count: 3)
            async let kept = sqlite.storage.settings.settingIfAbsent("before", "1")
            async let failed: Void = sqlite.executeForTesting([
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

    @Test func writesQueuedAtCloseAreStillAnswered() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ampere-group-commit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let sqlite = try await SQLiteStorage.open(path: path, logger: Logger(label: "test"))
        sqlite.writer.hold()
        async let written = sqlite.storage.tags.create(IdTag(idTag: "late", status: .accepted))
        while sqlite.writer.queued < 1 { try await Task.sleep(for: .milliseconds(1)) }
        try await sqlite.close()
        #expect(try await written)
        let reopened = try await SQLiteStorage.open(path: path, logger: Logger(label: "test"))
        let tag = try await reopened.storage.tags.tag("LATE")
        try await reopened.close()
        #expect(tag?.idTag == "late")
    }
}
