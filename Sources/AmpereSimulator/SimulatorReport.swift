import Foundation

/// The simulator's live status line and its closing summary, as text.
public enum SimulatorReport {
    /// One line: connections, boots, sessions, message rate since the
    /// previous line, errors so far.
    public static func statusLine(
        _ now: SimulatorStats.Snapshot, previous: SimulatorStats.Snapshot, seconds: Double, fleet: Int, elapsed: Double
    ) -> String {
        let rate = seconds > 0 ? Double(now.messages - previous.messages) / seconds : 0
        return String(
            format: "%7.0fs  connected %d/%d  booted %d  sessions %d  msg/s %.1f  errors %d",
            elapsed, now.connected, fleet, now.booted, now.activeSessions, rate, now.errors)
    }

    /// The counters at the end of a run, one per line.
    public static func summary(_ stats: SimulatorStats.Snapshot, fleet: Int, elapsed: Double) -> String {
        let rows: [(String, String)] = [
            ("charge points", "\(fleet)"),
            ("run time", String(format: "%.1f s", elapsed)),
            ("connections opened", "\(stats.connections)"),
            ("connection failures", "\(stats.connectFailures)"),
            ("  the last one", stats.lastConnectFailure ?? "–"),
            ("boots accepted", "\(stats.bootsAccepted)"),
            ("calls sent", "\(stats.callsSent)"),
            ("  answered", "\(stats.callsAnswered)"),
            ("  CALLERROR", "\(stats.callErrors)"),
            ("  unanswered", "\(stats.callFailures)"),
            ("calls received", "\(stats.callsReceived)"),
            ("sessions started", "\(stats.sessionsStarted)"),
            ("sessions completed", "\(stats.sessionsCompleted)"),
            ("sessions deauthorized", "\(stats.sessionsDeauthorized)"),
            ("drivers turned away", "\(stats.sessionsRefused)"),
            ("arrivals, every tag charging", "\(stats.noFreeDriver)"),
            ("meter values (in transactions)", "\(stats.meterValuesQueued)"),
            ("transaction messages dropped", "\(stats.transactionMessagesDropped)"),
            (
                "messages/s",
                String(format: "%.1f", elapsed > 0 ? Double(stats.messages) / elapsed : 0)
            ),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            .joined(separator: "\n")
    }
}
