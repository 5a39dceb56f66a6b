import Synchronization
import Testing

@testable import AmpereStorage

/// The batcher behind the cluster bus's routed calls: a lone item runs at once, items queued while a
/// statement runs share the next one, answers reach their own callers, and a refused item fails alone.
@Suite(.timeLimit(.minutes(1))) struct StatementBatcherTests {
    /// A flush that records its batches and can be held until the test lets it go.
    final class Recorder: Sendable {
        let batches = Mutex<[[Int]]>([])
        let held = Mutex(false)
        /// Items the "database" refuses.
        let refused: Set<Int>

        init(refusing refused: Set<Int> = []) { self.refused = refused }

        func flush(_ items: [Int]) async throws -> [String] {
            batches.withLock { $0.append(items) }
            while held.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
            if let bad = items.first(where: refused.contains) { throw TestFailure(item: bad) }
            return items.map { "answer \($0)" }
        }
    }

    struct TestFailure: Error, Equatable { var item: Int }

    @Test func aLoneItemRunsAtOnceInABatchOfItsOwn() async throws {
        let recorder = Recorder()
        let batcher = StatementBatcher<Int, String>(maxBatch: 10) { try await recorder.flush($0) }
        #expect(try await batcher.run(1) == "answer 1")
        #expect(try await batcher.run(2) == "answer 2")
        #expect(recorder.batches.withLock { $0 } == [[1], [2]])
        #expect(batcher.flushes == 2)
    }

    @Test func itemsQueuedWhileAStatementRunsShareTheNextAndGetTheirOwnAnswers() async throws {
        let recorder = Recorder()
        let batcher = StatementBatcher<Int, String>(maxBatch: 4) { try await recorder.flush($0) }
        recorder.held.withLock { $0 = true }
        let first = Task { try await batcher.run(0) }
        try await waitUntil { recorder.batches.withLock { $0.count } == 1 }
        let answers = Task {
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for item in 1...10 { group.addTask { (item, try await batcher.run(item)) } }
                return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
            }
        }
        // Every item is queued behind the held statement before it is let go.
        try await waitUntil { batcher.queued == 10 }
        recorder.held.withLock { $0 = false }
        #expect(try await first.value == "answer 0")
        let byItem = try await answers.value
        #expect(byItem == Dictionary(uniqueKeysWithValues: (1...10).map { ($0, "answer \($0)") }))
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.first == [0])
        // Ten items behind one statement, at most four to a statement: three more statements.
        #expect(batches.count == 4)
        #expect(batches.dropFirst().allSatisfy { $0.count <= 4 })
        #expect(batches.dropFirst().flatMap { $0 }.sorted() == Array(1...10))
    }

    @Test func aRefusedItemFailsOnlyItsOwnCaller() async throws {
        let recorder = Recorder(refusing: [3])
        let batcher = StatementBatcher<Int, String>(maxBatch: 10) { try await recorder.flush($0) }
        recorder.held.withLock { $0 = true }
        let first = Task { try await batcher.run(0) }
        try await waitUntil { recorder.batches.withLock { $0.count } == 1 }
        let results = Task {
            await withTaskGroup(of: (Int, Result<String, TestFailure>).self) { group in
                for item in 1...5 {
                    group.addTask {
                        do {
                            return (item, .success(try await batcher.run(item)))
                        } catch let failure as TestFailure {
                            return (item, .failure(failure))
                        } catch {
                            return (item, .failure(TestFailure(item: -1)))
                        }
                    }
                }
                return await group.reduce(into: [Int: Result<String, TestFailure>]()) { $0[$1.0] = $1.1 }
            }
        }
        try await waitUntil { batcher.queued == 5 }
        recorder.held.withLock { $0 = false }
        _ = try await first.value
        let byItem = await results.value
        #expect(byItem[3] == .failure(TestFailure(item: 3)))
        for item in [1, 2, 4, 5] { #expect(byItem[item] == .success("answer \(item)")) }
        // The shared statement failed, then each of its items ran alone.
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.count == 1 + 1 + 5)
        #expect(batches[1].sorted() == [1, 2, 3, 4, 5])
        #expect(batches.suffix(5).map(\.count) == [1, 1, 1, 1, 1])
    }

    @Test func aStatementAnsweringTooFewItemsFailsRatherThanMisanswering() async throws {
        let batcher = StatementBatcher<Int, String>(maxBatch: 10) { items in items.count > 1 ? ["one"] : [] }
        await #expect(throws: StorageError.self) { try await batcher.run(1) }
    }

    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            try #require(ContinuousClock.now < deadline, "condition never held")
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
