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
            // 400 frames of about 1 KB are some 400 KB of JSON: at least five statements.
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
}
