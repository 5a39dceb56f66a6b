import AmpereDomain
import AmpereTestSupport
import Foundation
import Logging
import Synchronization
import Testing

@testable import AmpereServer

/// The message log's buffer and its write cadence, against a repository
/// that records what it is given.
@Suite struct MessageLogWriterTests {
    /// Keeps every batch, and when each write started and ended; each write takes `delay`.
    final class RecordingMessageLog: MessageLogRepository {
        struct Write {
            var records: [OCPPMessageRecord]
            var started: ContinuousClock.Instant
            var ended: ContinuousClock.Instant
        }
        let delay: Duration
        /// Statement times to report to the writer's pause, one call each, before storing.
        let statements: [Duration]
        let writes = Mutex<[Write]>([])
        /// How long each of the writer's pauses lasted.
        let pauses = Mutex<[Duration]>([])
        /// When each pause began.
        let pauseStarts = Mutex<[ContinuousClock.Instant]>([])

        init(delay: Duration = .zero, statements: [Duration] = []) {
            self.delay = delay
            self.statements = statements
        }

        func append(
            _ records: [OCPPMessageRecord], pausingBetweenStatements pause: @escaping @Sendable (Duration) async -> Void
        ) async throws {
            let started = ContinuousClock.now
            if delay > .zero { try? await Task.sleep(for: delay) }
            for statement in statements {
                let pauseStarted = ContinuousClock.now
                pauseStarts.withLock { $0.append(pauseStarted) }
                await pause(statement)
                pauses.withLock { $0.append(.now - pauseStarted) }
            }
            writes.withLock { $0.append(Write(records: records, started: started, ended: .now)) }
        }
        func messages(stationId: String, _ page: PageRequest) async throws -> Page<OCPPMessageRecord> {
            let stored = writes.withLock { $0.flatMap(\.records) }.filter { $0.stationId == stationId }
            return Page(items: stored.reversed(), total: stored.count)
        }
        func prune(before cutoff: Date) async throws -> Int { 0 }
    }

    static func record(_ number: Int) -> OCPPMessageRecord {
        OCPPMessageRecord(
            stationId: "CP-1", direction: .received, messageType: 2, messageId: "\(number)", action: "Heartbeat",
            frame: #"[2,"\#(number)","Heartbeat",{}]"#, at: Date())
    }

    static func writer(_ repository: RecordingMessageLog, maxBuffered: Int = 100_000) -> MessageLogWriter {
        MessageLogWriter(
            repository: repository, retentionDays: 7, maxBuffered: maxBuffered, logger: Logger(label: "test"),
            now: { Date() })
    }

    @Test func framesBeyondTheLimitAreDroppedOldestFirstAndCounted() async {
        let repository = RecordingMessageLog()
        let writer = Self.writer(repository, maxBuffered: 100)
        for number in 1...150 { writer.append(Self.record(number)) }
        // Each time the buffer is full its oldest tenth goes: 5 times 10 of the 50 over the limit.
        #expect(writer.droppedFrames == 50)
        await writer.flush()
        let written = repository.writes.withLock { $0.flatMap(\.records).map(\.messageId) }
        #expect(written == (51...150).map(String.init))
        #expect(writer.droppedFrames == 50)
    }

    @Test func nothingIsDroppedWithinTheLimit() async {
        let repository = RecordingMessageLog()
        let writer = Self.writer(repository, maxBuffered: 100)
        for number in 1...100 { writer.append(Self.record(number)) }
        await writer.flush()
        #expect(writer.droppedFrames == 0)
        #expect(repository.writes.withLock { $0.flatMap(\.records).count } == 100)
    }

    @Test func aBatchSlowerThanTheIntervalIsFollowedAtOnceByTheNext() async throws {
        // Each write takes 1.5 s, longer than the 1 s interval: pausing a whole interval after
        // each write (as the writer once did) left a second's gap in which the buffer only grew.
        let repository = RecordingMessageLog(delay: .milliseconds(1500))
        let writer = Self.writer(repository)
        let running = Task { try await writer.run() }
        let feeding = Task {
            var number = 0
            while !Task.isCancelled {
                number += 1
                writer.append(Self.record(number))
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        // Stopped on every way out, so that a timed-out wait leaves nothing running.
        defer {
            feeding.cancel()
            running.cancel()
        }
        // Writes start at about 1.0, 2.5 and 4.0 s. Waited for rather than slept on: on a
        // loaded machine the first may start late, and that is not what this test is about.
        try await Polling.eventually("three writes", timeout: .seconds(20)) {
            repository.writes.withLock { $0.count } >= 3
        }
        feeding.cancel()
        running.cancel()
        _ = try? await running.value
        let writes = repository.writes.withLock { $0 }
        try #require(writes.count >= 3)
        // The old writer paused a whole interval (1 s) after each write.
        for (earlier, later) in zip(writes, writes.dropFirst()).prefix(2) {
            #expect(later.started - earlier.ended < .milliseconds(800))
        }
        #expect(writer.droppedFrames == 0)
    }

    @Test func aStatementIsFollowedByTwiceItsTimeUpToTenMillisecondsWithinTheBudget() {
        #expect(MessageLogWriter.pause(after: .milliseconds(2), elapsed: .zero) == .milliseconds(4))
        #expect(MessageLogWriter.pause(after: .milliseconds(3), elapsed: .milliseconds(650)) == .milliseconds(6))
        #expect(MessageLogWriter.pause(after: .milliseconds(30), elapsed: .milliseconds(100)) == .milliseconds(10))
        // Past the budget the rest of the batch goes without pauses, so the writer keeps pace.
        #expect(MessageLogWriter.pause(after: .milliseconds(2), elapsed: .milliseconds(700)) == .zero)
        #expect(MessageLogWriter.pause(after: .milliseconds(2), elapsed: .seconds(3)) == .zero)
    }

    @Test func aFlushPausesBetweenTheStatementsOfItsBatch() async {
        let repository = RecordingMessageLog(statements: [.milliseconds(3), .milliseconds(5)])
        let writer = Self.writer(repository)
        writer.append(Self.record(1))
        let flushStarted = ContinuousClock.now
        await writer.flush()
        let pauses = repository.pauses.withLock { $0 }
        let starts = repository.pauseStarts.withLock { $0 }
        #expect(pauses.count == 2 && starts.count == 2)
        // A sleep lasts at least what it was asked for: 6 and 10 ms; but a flush that has already
        // spent its spread budget pauses no more, which a starved thread can reach (a fully loaded
        // machine had): only pauses that began within the budget are held to it.
        for (pause, (start, asked)) in zip(pauses, zip(starts, [Duration.milliseconds(6), .milliseconds(10)]))
        where start - flushStarted < MessageLogWriter.spreadBudget {
            #expect(pause >= asked)
        }
        #expect(repository.writes.withLock { $0.count } == 1)
    }
}
