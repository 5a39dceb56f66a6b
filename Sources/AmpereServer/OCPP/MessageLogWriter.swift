import AmpereDomain
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Writes the OCPP message log in batches, off the path of each message, and
/// removes records older than the retention period.
final class MessageLogWriter: Service, Sendable {
    let repository: any MessageLogRepository
    /// Days records are kept; 0 turns the log off.
    let retentionDays: Int
    let logger: Logger
    let now: @Sendable () -> Date
    private let buffer = Mutex<[OCPPMessageRecord]>([])
    /// Frames in memory at most; beyond it the oldest unwritten tenth is dropped and counted.
    let maxBuffered: Int
    private let dropped = Atomic(0)
    private let droppedCounter = Counter(label: "ampere_message_log_dropped_frames_total")

    /// A batch is written at most this often; a batch that takes longer is followed at once by the next.
    static let flushInterval: Duration = .seconds(1)
    /// How long into a flush its statements are still followed by pauses; the rest go without.
    static let spreadBudget: Duration = .milliseconds(700)
    /// The longest pause after one statement.
    static let maxPause: Duration = .milliseconds(10)

    /// The pause after a statement that took `statement`, `elapsed` into its batch: twice the
    /// statement's time, so that the writer takes a third of a core while a large batch lasts and
    /// the connections' threads never queue behind a burst of it (Heartbeats at 25,000/s: p99
    /// 14–31 ms with a second's frames in one go, 6–9 ms spread; docs/PERFORMANCE.md); none once
    /// the batch has used `spreadBudget`, so that the writer still keeps pace with what arrives.
    static func pause(after statement: Duration, elapsed: Duration) -> Duration {
        guard elapsed < spreadBudget else { return .zero }
        return min(statement * 2, maxPause)
    }
    static let pruneInterval: TimeInterval = 3600

    init(
        repository: any MessageLogRepository, retentionDays: Int, maxBuffered: Int = 100_000, logger: Logger,
        now: @escaping @Sendable () -> Date
    ) {
        self.repository = repository
        self.retentionDays = retentionDays
        self.maxBuffered = max(10, maxBuffered)
        self.logger = logger
        self.now = now
    }

    var isEnabled: Bool { retentionDays > 0 }

    /// Frames dropped because the database fell behind, since the start.
    var droppedFrames: Int { dropped.load(ordering: .relaxed) }

    func append(_ record: OCPPMessageRecord) {
        let droppedNow = buffer.withLock { records -> Int in
            var removed = 0
            if records.count >= maxBuffered {
                removed = records.count / 10
                records.removeFirst(removed)
            }
            records.append(record)
            return removed
        }
        if droppedNow > 0 {
            dropped.add(droppedNow, ordering: .relaxed)
            droppedCounter.increment(by: Int64(droppedNow))
        }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastPrune = Date.distantPast
            var droppedReported = 0
            var nextFlush = ContinuousClock.now + Self.flushInterval
            while !Task.isCancelled {
                // On a fixed cadence rather than a pause after each write: when frames arrive as fast as
                // the database takes them, a pause would let the buffer outgrow its limit.
                try? await Task.sleep(until: nextFlush)
                nextFlush = .now + Self.flushInterval
                await self.flush()
                let droppedNow = self.droppedFrames
                if droppedNow > droppedReported {
                    self.logger.warning(
                        "the message log fell behind the frames and dropped the oldest unwritten",
                        metadata: ["dropped": "\(droppedNow - droppedReported)", "droppedTotal": "\(droppedNow)"])
                    droppedReported = droppedNow
                }
                if self.now().timeIntervalSince(lastPrune) >= Self.pruneInterval {
                    lastPrune = self.now()
                    await self.prune()
                }
            }
        }
        await flush()
    }

    /// Writes what is buffered now.
    func flush() async {
        let records = buffer.takeAll()
        guard !records.isEmpty else { return }
        let started = ContinuousClock.now
        do {
            try await repository.append(records) { statement in
                let pause = Self.pause(after: statement, elapsed: .now - started)
                // Cancelled at shutdown: the rest is written at once.
                if pause > .zero { try? await Task.sleep(for: pause) }
            }
        } catch {
            logger.error("could not write the message log", metadata: ["error": "\(error)", "records": "\(records.count)"])
        }
    }

    private func prune() async {
        guard isEnabled else { return }
        let cutoff = now().addingTimeInterval(-Double(retentionDays) * 86_400)
        do {
            let removed = try await repository.prune(before: cutoff)
            if removed > 0 { logger.info("pruned the message log", metadata: ["removed": "\(removed)"]) }
        } catch {
            logger.error("could not prune the message log", metadata: ["error": "\(error)"])
        }
    }
}
