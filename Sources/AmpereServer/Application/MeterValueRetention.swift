import AmpereDomain
import Foundation
import Logging
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
        do {
            let removed = try await transactions.pruneMeterSamples(before: cutoff)
            if removed > 0 { logger.info("pruned meter values", metadata: ["removed": "\(removed)"]) }
        } catch is CancellationError {
            return
        } catch {
            logger.error("could not prune meter values", metadata: ["error": "\(error)"])
        }
    }
}
