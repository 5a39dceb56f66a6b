import Foundation

/// CPU time and memory of a process, read from /proc (Linux).
struct ProcessStats: Sendable {
    /// User + system CPU seconds.
    var cpuSeconds: Double
    var rssBytes: Int?

    /// Stats of `pid`; nil when it cannot be read.
    static func read(pid: Int32) -> ProcessStats? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name; utime and stime are fields 14 and 15 (1-based).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var rss: Int?
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        {
            rss = line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
        }
        return ProcessStats(cpuSeconds: (utime + stime) / ticks, rssBytes: rss)
    }

    /// This process's stats.
    static func current() -> ProcessStats? { read(pid: getpid()) }
}
