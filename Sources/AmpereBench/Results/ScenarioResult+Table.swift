import Foundation

extension ScenarioResult {
    /// A fixed-width table of the figures, for people.
    public var table: String {
        var lines = [
            String(format: "scenario %@: %d stations, %.1f s measured", scenario as NSString, stations, seconds)
        ]
        if !calls.isEmpty {
            lines.append("")
            lines.append(
                "call                      count    per s  errors  timeouts    p50 ms    p90 ms    p99 ms  p99.9 ms    max ms"
            )
            for call in calls {
                let latency = call.latencyMs
                lines.append(
                    String(
                        format: "%@ %8d %8.0f %7d %9d %9.2f %9.2f %9.2f %9.2f %9.2f",
                        Self.pad(call.call, 22) as NSString,
                        call.count, call.perSecond, call.errors, call.timeouts, latency.p50, latency.p90, latency.p99,
                        latency.p999, latency.max))
            }
        }
        if !figures.isEmpty {
            lines.append("")
            for figure in figures {
                lines.append(Self.pad(figure.name, 34) + " " + Self.format(figure))
            }
        }
        if let storage {
            lines.append("")
            lines.append("stored                    expected     found   missing  duplicated")
            lines.append(
                String(
                    format: "transactions             %9d %9d %9d %11d", storage.transactionsExpected,
                    storage.transactionsFound, storage.transactionsMissing, storage.transactionsDuplicated))
            lines.append(
                String(
                    format: "sampled values           %9d %9d %9d %11d", storage.sampledValuesExpected,
                    storage.sampledValuesFound, storage.sampledValuesMissing, storage.sampledValuesDuplicated))
            if storage.transactionsNotStopped > 0 {
                lines.append("transactions not stopped: \(storage.transactionsNotStopped)")
            }
            if storage.unansweredCalls > 0 {
                lines.append("calls never answered (left out of expected): \(storage.unansweredCalls)")
            }
        }
        lines.append("")
        var load = String(format: "generator CPU %.0f %% of one core", generatorCPUPercent)
        if let serverCPUPercent { load += String(format: "; server CPU %.0f %%", serverCPUPercent) }
        if let serverRSSBytes { load += String(format: ", RSS %.1f MiB", Double(serverRSSBytes) / 1_048_576) }
        lines.append(load)
        lines.append(passed ? "PASSED" : "FAILED: " + failures.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }

    /// Foundation on Linux ignores the width of `%@`.
    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private static func format(_ figure: Figure) -> String {
        switch figure.unit {
        case "bytes":
            return String(format: "%.1f MiB (%.0f bytes)", figure.value / 1_048_576, figure.value)
        case "bytes/session":
            return String(format: "%.1f KiB per session", figure.value / 1024)
        case "count":
            return String(format: "%.0f", figure.value)
        default:
            let magnitude = abs(figure.value)
            let format = magnitude >= 100 || magnitude == 0 ? "%.0f %@" : magnitude >= 1 ? "%.2f %@" : "%.3f %@"
            return String(format: format, figure.value, figure.unit as NSString)
        }
    }
}
