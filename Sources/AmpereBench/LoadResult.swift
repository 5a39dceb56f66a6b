import Foundation
import Histogram

/// The figures of one load scenario, as the table and `--json` print them.
public struct LoadResult: Sendable, Codable {
    public var scenario: String
    public var connections: Int
    public var seconds: Double
    public var roundTrips: Int
    public var roundTripsPerSecond: Double
    /// CALLERRORs and frames that were not the expected answer.
    public var errors: Int
    /// Calls without an answer within the timeout.
    public var timeouts: Int
    public var latencyMs: Latency
    /// The generator's own CPU over the measured window, percent of one core.
    public var generatorCPUPercent: Double
    /// The server's CPU over the window and RSS at its end, when `--server-pid` is given.
    public var serverCPUPercent: Double?
    public var serverRSSBytes: Int?
    /// Round trips per second offered on a fixed schedule; nil: closed loop.
    public var offeredPerSecond: Double? = nil

    /// Latency percentiles in milliseconds.
    public struct Latency: Sendable, Codable, Equatable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var p999: Double
        public var max: Double

        init(p50: Double, p90: Double, p99: Double, p999: Double, max: Double) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.p999 = p999
            self.max = max
        }

        /// From round-trip times in microseconds.
        init(micros: [UInt64]) {
            var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
            for value in micros { _ = histogram.record(Swift.max(1, Swift.min(value, 60_000_000))) }
            func ms(_ percentile: Double) -> Double {
                micros.isEmpty ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000
            }
            p50 = ms(50)
            p90 = ms(90)
            p99 = ms(99)
            p999 = ms(99.9)
            max = micros.isEmpty ? 0 : Double(histogram.max) / 1000
        }
    }

    /// A fixed-width table of the figures.
    public var table: String {
        var lines = [
            "scenario      conns  seconds  round trips   per second  errors  timeouts   p50 ms   p90 ms   p99 ms  p99.9 ms   max ms  gen CPU %",
            String(
                format: "%-12@ %6d %8.1f %12d %12.0f %7d %9d %8.2f %8.2f %8.2f %9.2f %8.2f %10.0f",
                scenario as NSString, connections, seconds, roundTrips, roundTripsPerSecond, errors, timeouts,
                latencyMs.p50, latencyMs.p90, latencyMs.p99, latencyMs.p999, latencyMs.max, generatorCPUPercent),
        ]
        if let offeredPerSecond {
            lines.append(
                String(
                    format: "paced: %.0f round trips/s offered, latency counted from each call's due time",
                    offeredPerSecond))
        }
        if let serverCPUPercent, let serverRSSBytes {
            lines.append(
                String(format: "server: CPU %.0f %% of one core, RSS %.1f MiB", serverCPUPercent, Double(serverRSSBytes) / 1_048_576))
        }
        return lines.joined(separator: "\n")
    }
}
