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
    private struct Times {
        /// Times not written yet.
        var pending: [String: Date] = [:]
        /// The latest time of every station heard from by this process, for views
        /// read before the next flush.
        var latest: [String: Date] = [:]
    }
    /// One lock for both: `seen` runs for every frame.
    private let times = Mutex(Times())

    static let flushInterval: Duration = .seconds(1)

    init(stations: any StationRepository, logger: Logger) {
        self.stations = stations
        self.logger = logger
    }

    /// Notes that `stationId` was heard from at `time`.
    func seen(_ stationId: String, at time: Date) {
        times.withLock { times in
            times.pending[stationId] = time
            times.latest[stationId] = time
        }
    }

    /// The latest time `stationId` was heard from by this process.
    func latest(_ stationId: String) -> Date? { times.withLock { $0.latest[stationId] } }

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
        let batch = times.withLock { times in
            defer { times.pending.removeAll(keepingCapacity: true) }
            return times.pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await stations.recordSeen(batch)
        } catch {
            logger.warning("could not record lastSeen", metadata: ["stations": "\(batch.count)", "error": "\(error)"])
        }
    }
}
