import AmpereDomain
import Foundation
import Logging
import OCPPCore
import ServiceLifecycle

/// Removes sampled meter values older than the retention period, once an
/// hour, in small writes that charge points' own writes pass between.
struct MeterValueRetention: Service {
    let transactions: any TransactionRepository
    /// Days values are kept; 0 keeps them for ever and this service only waits for shutdown.
    let retentionDays: Int
    let logger: Logger
    let now: @Sendable () -> Date

    static let interval: Duration = .seconds(3600)

    func run() async throws {
        guard retentionDays > 0 else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await prune()
                try? await Task.sleep(for: Self.interval)
            }
        }
    }

    func prune() async {
        let cutoff = now().addingTimeInterval(-Double(retentionDays) * 86_400)
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let removed = try await transactions.pruneMeterSamples(before: cutoff)
            // Every series is looked at each time, so the round's length is worth seeing even when
            // it found nothing to remove.
            let seconds = String(format: "%.1f", (clock.now - started).inSeconds)
            if removed > 0 {
                logger.info("pruned meter values", metadata: ["removed": "\(removed)", "seconds": "\(seconds)"])
            } else {
                logger.debug("no meter values to prune", metadata: ["seconds": "\(seconds)"])
            }
        } catch is CancellationError {
            return
        } catch {
            logger.error("could not prune meter values", metadata: ["error": "\(error)"])
        }
    }
}
