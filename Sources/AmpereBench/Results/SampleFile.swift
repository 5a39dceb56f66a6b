import Foundation

/// Every measured call of a `throughput` run as CSV, one line each:
/// `connection,due_us,latency_us` (the connection's index, when the call was due in µs after
/// the warm-up, and its round trip in µs).
///
/// Percentiles say how slow the slowest answers were; this says when they came. Slow answers
/// spread over every connection and moment point at the server's steady cost, while slow answers
/// crowded into a few moments point at something that stalls it now and then
/// (`scripts/diagnostics/latency_clusters.py`).
enum SampleFile {
    static let header = "connection,due_us,latency_us\n"

    /// Writes the measured calls of `connections` (each result's `dueTimes` beside its `latencies`) to `path`.
    static func write(_ connections: [ThroughputBenchmark.ConnectionResult], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let file = FileHandle(forWritingAtPath: path)
        else { throw BenchOptionsError("cannot write the samples to \(path)") }
        defer { try? file.close() }
        var text = header
        for (index, connection) in connections.enumerated() {
            for (due, latency) in zip(connection.dueTimes, connection.latencies) {
                text += "\(index),\(due),\(latency)\n"
            }
            // In pieces of about a megabyte: a run holds millions of samples.
            if text.utf8.count >= 1 << 20 {
                try file.write(contentsOf: Data(text.utf8))
                text = ""
            }
        }
        try file.write(contentsOf: Data(text.utf8))
    }
}
