import AmpereDomain
@testable import AmpereStorage
import Synchronization
import Testing

@Suite struct MessageLogRepositoryTests {
    static func record(_ station: String, _ index: Int, at seconds: Int) -> OCPPMessageRecord {
        OCPPMessageRecord(
            stationId: station, direction: index.isMultiple(of: 2) ? .received : .sent, messageType: 2 + index % 3,
            messageId: "m\(index)", action: index.isMultiple(of: 3) ? nil : "Heartbeat",
            frame: "[2,\"m\(index)\",\"Heartbeat\",{}]", at: Fixtures.date(seconds))
    }

    @Test(arguments: StorageBackend.all)
    func appendListNewestFirstAndPrune(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let messages = opened.storage.messages
            try await messages.append((0..<10).map { Self.record("CP1", $0, at: $0) })
            try await messages.append([Self.record("CP2", 99, at: 0)])
            try await messages.append([])

            let page = try await messages.messages(stationId: "CP1", PageRequest(limit: 3))
            #expect(page.total == 10)
            #expect(page.items.map(\.messageId) == ["m9", "m8", "m7"])
            let newest = try #require(page.items.first)
            var expected = Self.record("CP1", 9, at: 9)
            expected.id = newest.id
            #expect(newest == expected)
            #expect(page.items.map(\.id) == page.items.map(\.id).sorted(by: >))

            #expect(try await messages.prune(before: Fixtures.date(4)) == 5)
            #expect(try await messages.messages(stationId: "CP1", PageRequest()).total == 6)
            #expect(try await messages.messages(stationId: "CP2", PageRequest()).total == 0)
            #expect(try await messages.prune(before: Fixtures.date(4)) == 0)
        }
    }

    /// A frame is logged whatever text it holds, escapes and all; a NUL character, which PostgreSQL's
    /// text cannot hold, becomes U+FFFD there, and the frames around it are stored all the same.
    @Test(arguments: StorageBackend.all)
    func framesOfAnyTextAreLoggedWithTheirNeighbours(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let messages = opened.storage.messages
            let frames = ["[2,\"a\",\"Heartbeat\",{}]", "quote \" backslash \\ tab \t é😀", "nul \u{0} inside", "last"]
            // The same on both databases, though SQLite could keep the NUL: the log reads the same everywhere.
            try await messages.append(
                frames.enumerated().map { index, frame in
                    var record = Self.record("CP-TEXT", index, at: 1)
                    record.frame = frame
                    return record
                })
            let stored = try await messages.messages(stationId: "CP-TEXT", PageRequest(limit: 10)).items.reversed().map(\.frame)
            #expect(stored.count == frames.count)
            #expect(stored[0] == frames[0])
            #expect(stored[1] == frames[1])
            #expect(stored[2] == "nul \u{FFFD} inside")
            #expect(stored[3] == "last")
        }
    }

    @Test func storableTextsHaveEveryNULReplaced() {
        #expect(SQLMessageLogRepository.storable("\u{0}a\u{0}\u{0}b\"\u{0}") == "\u{FFFD}a\u{FFFD}\u{FFFD}b\"\u{FFFD}")
        #expect(SQLMessageLogRepository.storable("no NUL: é😀\u{1}") == "no NUL: é😀\u{1}")
    }

    /// A large batch takes several statements, with the caller's pause between each two, each
    /// told a statement's time; a small one takes one statement and no pause.
    @Test(arguments: StorageBackend.all)
    func aLargeBatchPausesBetweenItsStatements(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let messages = opened.storage.messages
            let pauses = Mutex<[Duration]>([])
            let record: @Sendable (Duration) async -> Void = { statement in pauses.withLock { $0.append(statement) } }
            try await messages.append((0..<5).map { Self.record("CP-SMALL", $0, at: 1) }, pausingBetweenStatements: record)
            #expect(pauses.withLock { $0.isEmpty })
            let big = (0..<400).map { index in
                var item = Self.record("CP-PAUSE", index, at: 2)
                item.frame += String(repeating: "y", count: 1000)
                return item
            }
            try await messages.append(big, pausingBetweenStatements: record)
            let seen = pauses.withLock { $0 }
            // 400 frames of about 1 KB are some 400 KB: at least five statements of 64 KB.
            #expect(seen.count >= 4)
            #expect(seen.allSatisfy { $0 > .zero })
            let stored = try await messages.messages(stationId: "CP-PAUSE", PageRequest(limit: 1000))
            #expect(stored.items.map(\.messageId).reversed() == big.map(\.messageId))
        }
    }

    /// A batch travels column by column: every frame and action comes back as sent (an empty
    /// action stays apart from none), ids in the batch's order.
    @Test(arguments: StorageBackend.all)
    func aLargeBatchKeepsItsOrderAndEveryCharacter(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let messages = opened.storage.messages
            let odd = #"[2,"q\"uote","DataTransfer",{"data":"tab\t\\ ü ⚡️ \u0001"}]"#
            let records = (0..<1500).map { index in
                var record = Self.record("CP-BIG", index, at: 7)
                // Long enough that the batch takes several statements (`statementBytes`).
                if index.isMultiple(of: 7) {
                    record.frame = odd + String(repeating: "x", count: 2000) + "\u{1}\n\(index)"
                }
                if index.isMultiple(of: 11) { record.action = "" }
                return record
            }
            try await messages.append(records)
            let page = try await messages.messages(stationId: "CP-BIG", PageRequest(limit: 1000))
            #expect(page.total == 1500)
            let rest = try await messages.messages(stationId: "CP-BIG", PageRequest(limit: 1000, offset: 1000))
            // Newest first, so reversed is the order of the batch.
            let stored = Array((page.items + rest.items).reversed())
            #expect(stored.map(\.messageId) == records.map(\.messageId), "order")
            let mismatches = zip(stored, records).filter { $0.frame != $1.frame || $0.action != $1.action }
            #expect(mismatches.isEmpty, "frames or actions changed: \(mismatches.prefix(2))")
        }
    }

    @Test(arguments: StorageBackend.all)
    func pruneWorksThroughManyBatches(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let messages = opened.storage.messages
            try await messages.append((0..<2600).map { Self.record("CP1", $0, at: $0 < 2500 ? 0 : 100) })
            #expect(try await messages.prune(before: Fixtures.date(50)) == 2500)
            #expect(try await messages.messages(stationId: "CP1", PageRequest()).total == 100)
        }
    }

    /// Frames logged in several writes, interleaved with another station's, are stored as runs;
    /// every page, whatever its offset and size, is the same slice of the whole list, newest first.
    @Test(arguments: StorageBackend.all)
    func pagesCutAcrossRunsAreSlicesOfTheWholeList(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let messages = opened.storage.messages
            var logged: [String] = []
            for write in 0..<6 {
                // Runs of 1 to 11 frames, each write also holding another station's.
                let frames = (0...(write * 2)).map { Self.record("CP-PAGE", write * 100 + $0, at: write) }
                try await messages.append(
                    zip(frames, frames.map { Self.record("CP-ELSE", $0.messageId.count, at: write) }).flatMap { [$0, $1] })
                logged += frames.map(\.messageId)
            }
            let newestFirst = Array(logged.reversed())
            let all = try await messages.messages(stationId: "CP-PAGE", PageRequest(limit: 1000))
            #expect(all.total == 36)
            #expect(all.items.map(\.messageId) == newestFirst)
            #expect(all.items.map(\.id) == all.items.map(\.id).sorted(by: >))
            #expect(Set(all.items.map(\.id)).count == 36)
            for limit in [1, 4, 7, 36] {
                for offset in [0, 1, 3, 10, 11, 20, 35, 36, 40] {
                    let page = try await messages.messages(stationId: "CP-PAGE", PageRequest(limit: limit, offset: offset))
                    #expect(page.total == 36)
                    #expect(
                        page.items.map(\.messageId) == Array(newestFirst.dropFirst(offset).prefix(limit)),
                        "limit \(limit), offset \(offset)")
                }
            }
            #expect(try await messages.messages(stationId: "CP-PAGE", PageRequest(limit: 0)).items.isEmpty)
            #expect(try await messages.messages(stationId: "CP-NONE", PageRequest()).total == 0)
        }
    }

    /// A flush holds every connected station's frames, interleaved: each station's run takes its
    /// frames' places in the run, not in the flush, however far apart they came (here 1,200 frames
    /// after the first).
    @Test(arguments: StorageBackend.all)
    func interleavedStationsEachReadBackTheirWholeRun(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let messages = opened.storage.messages
            let stations = ["CP-A", "CP-B", "CP-C"]
            try await messages.append((0..<400).flatMap { index in stations.map { Self.record($0, index, at: 1) } })
            for station in stations {
                var stored: [OCPPMessageRecord] = []
                for offset in [0, 250] {
                    stored += try await messages.messages(stationId: station, PageRequest(limit: 250, offset: offset)).items
                }
                #expect(stored.count == 400)
                #expect(stored.map(\.messageId) == (0..<400).reversed().map { "m\($0)" })
                #expect(stored.allSatisfy { $0.stationId == station })
                #expect(Set(stored.map(\.id)).count == 400)
            }
        }
    }

    /// A prune whose cutoff falls inside a run removes exactly the older frames of it, whatever
    /// their order in the run, and the frames kept keep their ids.
    @Test(arguments: StorageBackend.all)
    func aPruneInsideARunKeepsTheNewerFramesAndTheirIds(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let messages = opened.storage.messages
            let seconds = [5, 1, 9, 3, 7, 2, 8, 6]
            try await messages.append(seconds.enumerated().map { Self.record("CP-TRIM", $0.offset, at: $0.element) })
            try await messages.append([Self.record("CP-TRIM", 50, at: 1), Self.record("CP-TRIM", 51, at: 2)])
            let before = try await messages.messages(stationId: "CP-TRIM", PageRequest(limit: 100)).items

            #expect(try await messages.prune(before: Fixtures.date(6)) == 6)
            let after = try await messages.messages(stationId: "CP-TRIM", PageRequest(limit: 100))
            #expect(after.total == 4)
            #expect(after.items == before.filter { $0.at >= Fixtures.date(6) })
            #expect(after.items.map(\.messageId) == ["m7", "m6", "m4", "m2"])
            #expect(try await messages.prune(before: Fixtures.date(6)) == 0)
            #expect(try await messages.prune(before: Fixtures.date(100)) == 4)
            #expect(try await messages.messages(stationId: "CP-TRIM", PageRequest()).total == 0)
        }
    }

    /// Frames logged one row each, before the log became runs, are carried over in their order
    /// with every field, and frames logged afterwards come after them.
    @Test(arguments: StorageBackend.all)
    func framesLoggedBeforeRunsAreCarriedOver(backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            let old: [OCPPMessageRecord] = [
                Self.record("CP-OLD", 0, at: 10),
                OCPPMessageRecord(
                    stationId: "CP-OLD", direction: .sent, messageType: 3, messageId: "é😀,;1", action: nil,
                    frame: "[3,\"é😀,;1\",{\"x\":\"a;b,c\"}]", at: Fixtures.date(11)),
                OCPPMessageRecord(
                    stationId: "CP-OLD", direction: .received, messageType: 4, messageId: "m2", action: "",
                    frame: "[4,\"m2\",\"NotImplemented\",\"\",{}]\n", at: Fixtures.date(12)),
                Self.record("CP-OTHER", 3, at: 10),
            ]
            try await database.withOpened { opened in
                let traits = opened.database.messageLogWriter.traits
                // Back to the log as the migration before found it.
                try await opened.database.executeOnMessageLogForTesting(
                    ["DROP TABLE ocpp_message_batches"]
                        + (traits.messageLogInOwnFile ? Schema.messageLogTable(traits) : [])
                        + old.map(Self.perFrameRow) + ["DELETE FROM schema_migrations WHERE version = \(opened.database.messageLogBatchesVersion)"])
            }
            try await database.withOpened { opened in
                let messages = opened.storage.messages
                let page = try await messages.messages(stationId: "CP-OLD", PageRequest(limit: 10))
                #expect(page.total == 3)
                #expect(page.items.map { record in var record = record; record.id = 0; return record } == old.prefix(3).reversed())
                #expect(page.items.map(\.id) == page.items.map(\.id).sorted(by: >))
                #expect(try await messages.messages(stationId: "CP-OTHER", PageRequest()).total == 1)
                try await messages.append([Self.record("CP-OLD", 7, at: 5)])
                let newest = try await messages.messages(stationId: "CP-OLD", PageRequest(limit: 1)).items
                #expect(newest.map(\.messageId) == ["m7"])
                #expect(try await messages.prune(before: Fixtures.date(11)) == 3)
                #expect(try await messages.messages(stationId: "CP-OLD", PageRequest(limit: 10)).items.map(\.messageId) == ["m2", "é😀,;1"])

                if opened.database.messageLogWriter.traits.messageLogInOwnFile {
                    // The file belongs to this node: the old table is gone.
                    await #expect(throws: StorageError.self) {
                        try await opened.database.executeOnMessageLogForTesting(["SELECT COUNT(*) FROM ocpp_messages"])
                    }
                } else {
                    // A node not yet upgraded still logs into the old table; the next prune carries it over.
                    try await opened.database.executeOnMessageLogForTesting([Self.perFrameRow(Self.record("CP-OLD", 8, at: 20))])
                    #expect(try await messages.messages(stationId: "CP-OLD", PageRequest()).total == 2)
                    #expect(try await messages.prune(before: Fixtures.date(11)) == 0)
                    let carried = try await messages.messages(stationId: "CP-OLD", PageRequest(limit: 10))
                    #expect(carried.items.map(\.messageId) == ["m8", "m2", "é😀,;1"])
                    #expect(try await messages.prune(before: Fixtures.date(11)) == 0)
                    #expect(try await messages.messages(stationId: "CP-OLD", PageRequest()).total == 3)
                }
            }
        }
    }

    /// Where nodes share the log (PostgreSQL), two nodes carrying the older nodes' frames over at
    /// once take each frame once.
    @Test(arguments: StorageBackend.all)
    func nodesCarryingTheOldLogOverAtOnceTakeEachFrameOnce(backend: StorageBackend) async throws {
        try await backend.withDatabase { database in
            try await database.withOpened { first in
                guard !first.database.messageLogWriter.traits.messageLogInOwnFile else { return }
                try await database.withOpened { second in
                    for round in 0..<3 {
                        try await first.database.executeOnMessageLogForTesting([
                            """
                            INSERT INTO ocpp_messages (station_id, direction, message_type, message_id, action, frame, at)
                            SELECT 'CP-MOVE', 'received', 2, 'r\(round)-' || g, 'Heartbeat', '[2,"x","Heartbeat",{}]', \(Millis.from(Fixtures.date(10))) + g
                            FROM generate_series(1, 700) g
                            """
                        ])
                        async let one = first.storage.messages.prune(before: Fixtures.date(0))
                        async let other = second.storage.messages.prune(before: Fixtures.date(0))
                        #expect(try await [one, other] == [0, 0])
                    }
                    let messages = first.storage.messages
                    var ids: [String] = []
                    for offset in [0, 1000, 2000] {
                        let page = try await messages.messages(stationId: "CP-MOVE", PageRequest(limit: 1000, offset: offset))
                        #expect(page.total == 2100)
                        ids += page.items.map(\.messageId)
                    }
                    #expect(ids.count == 2100)
                    #expect(Set(ids).count == 2100)
                    #expect(ids.first == "r2-700")
                }
            }
        }
    }

    /// An INSERT of `record` into the log as it was a row per frame, as older versions wrote it.
    static func perFrameRow(_ record: OCPPMessageRecord) -> String {
        let text = { (value: String) in "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
        return "INSERT INTO ocpp_messages (station_id, direction, message_type, message_id, action, frame, at) VALUES ("
            + [
                text(record.stationId), text(record.direction.rawValue), String(record.messageType),
                text(record.messageId), record.action.map(text) ?? "NULL", text(record.frame),
                String(Millis.from(record.at)),
            ].joined(separator: ", ") + ")"
    }
}
