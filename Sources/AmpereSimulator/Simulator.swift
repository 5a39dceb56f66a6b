import Logging

/// Runs a fleet of simulated charge points in one task group, sharing one
/// set of counters.
public final class Simulator: Sendable {
    public let configuration: SimulatorConfiguration
    public let stats: SimulatorStats
    public let chargePoints: [SimulatedChargePoint]

    public init(configuration: SimulatorConfiguration, logger: Logger) {
        let stats = SimulatorStats()
        self.configuration = configuration
        self.stats = stats
        self.chargePoints = (0..<configuration.count).map { index in
            var chargePoint = configuration.template
            chargePoint.id = configuration.id(at: index)
            return SimulatedChargePoint(configuration: chargePoint, stats: stats, logger: logger)
        }
    }

    /// Ends every running session (`SimulatedChargePoint.endSessions()`) and waits, at most
    /// `limit`, until the central system has answered each one's StopTransaction; returns the
    /// transactions still open then (a charge point offline keeps its own until it is back).
    /// `run()` must still be running, so that the charge points can send them.
    public func endSessions(within limit: Duration) async -> Int {
        for chargePoint in chargePoints { chargePoint.endSessions() }
        let deadline = ContinuousClock.now + limit
        while true {
            let open = chargePoints.reduce(0) { $0 + $1.openTransactions }
            guard open > 0, ContinuousClock.now < deadline,
                (try? await Task.sleep(for: .milliseconds(100))) != nil
            else { return open }
        }
    }

    /// Runs every charge point until the task is cancelled, starting them at
    /// the configured connect rate.
    public func run() async {
        let clock = ContinuousClock()
        let start = clock.now
        await withDiscardingTaskGroup { group in
            for (index, chargePoint) in chargePoints.enumerated() {
                if let rate = configuration.connectRate, rate > 0 {
                    let due = start + .milliseconds(Int64(Double(index) / rate * 1000))
                    guard (try? await Task.sleep(until: due, clock: clock)) != nil else { break }
                }
                group.addTask { await chargePoint.run() }
            }
        }
    }
}
