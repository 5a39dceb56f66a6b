import AmpereDomain
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps stations' `lastSeen` up to date without a write on the path of
/// each frame: connections note the time, and this service writes the
/// latest time of every station once a second, in one write.
final class LastSeenWriter: Service, Sendable {
    let stations: any StationRepository
    let logger: Logger
    private let pending = Mutex<[String: Date]>([:])
    /// The latest time of every station heard from by this process, for views
    /// read before the next flush.
    private let latestSeen = Mutex<[String: Date]>([:])

    static let flushInterval: Duration = .seconds(1)

    init(stations: any StationRepository, logger: Logger) {
        self.stations = stations
        self.logger = logger
    }

    /// Notes that `stationId` was heard from at `time`.
    func seen(_ stationId: String, at time: Date) {
        pending.withLock { $0[stationId] = time }
        latestSeen.withLock { $0[stationId] = time }
    }

    /// The latest time `stationId` was heard from by this process.
    func latest(_ stationId: String) -> Date? { latestSeen.withLock { $0[stationId] } }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.flushInterval)
                await self.flush()
            }
        }
        await flush()
    }

    /// Writes every noted time now.
    func flush() async {
        let batch = pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await stations.recordSeen(batch)
        } catch {
            logger.warning("could not record lastSeen", metadata: ["stations": "\(batch.count)", "error": "\(error)"])
        }
    }
}
