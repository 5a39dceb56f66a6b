import AmpereDomain
import Foundation
import Logging
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

    static let flushInterval: Duration = .seconds(1)
    static let pruneInterval: TimeInterval = 3600
    /// Frames kept in memory at most; beyond it the oldest unwritten are dropped (and counted).
    static let maxBuffered = 100_000

    init(repository: any MessageLogRepository, retentionDays: Int, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.repository = repository
        self.retentionDays = retentionDays
        self.logger = logger
        self.now = now
    }

    var isEnabled: Bool { retentionDays > 0 }

    func append(_ record: OCPPMessageRecord) {
        buffer.withLock { records in
            if records.count >= Self.maxBuffered { records.removeFirst(records.count / 10) }
            records.append(record)
        }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastPrune = Date.distantPast
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.flushInterval)
                await self.flush()
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
        do {
            try await repository.append(records)
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
