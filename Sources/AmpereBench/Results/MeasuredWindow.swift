import OCPPCore

/// A scenario's measured window: wall time, the generator's CPU and, given
/// its pid, the server's CPU and memory.
struct MeasuredWindow: Sendable {
    let start: ContinuousClock.Instant
    let generator: ProcessStats?
    let server: ProcessStats?
    let serverPid: Int32?

    /// What a window measured.
    struct Figures: Sendable {
        var start: ContinuousClock.Instant
        var seconds: Double
        var generatorCPUPercent: Double
        var serverCPUPercent: Double?
        var serverRSSBytes: Int?
    }

    init(serverPid: Int32?) {
        self.serverPid = serverPid
        start = .now
        generator = ProcessStats.current()
        server = serverPid.flatMap(ProcessStats.read)
    }

    /// The window from its start until now.
    func finish() -> Figures {
        let seconds = (.now - start).inSeconds
        func percent(_ before: ProcessStats?, _ after: ProcessStats?) -> Double? {
            guard let before, let after, seconds > 0 else { return nil }
            return (after.cpuSeconds - before.cpuSeconds) / seconds * 100
        }
        let serverNow = serverPid.flatMap(ProcessStats.read)
        return Figures(
            start: start, seconds: seconds, generatorCPUPercent: percent(generator, ProcessStats.current()) ?? 0,
            serverCPUPercent: percent(server, serverNow), serverRSSBytes: serverNow?.rssBytes)
    }
}
