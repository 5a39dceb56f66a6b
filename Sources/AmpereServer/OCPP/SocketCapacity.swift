import Logging
import Synchronization

/// How many accepted sockets a node keeps open at most before it turns charge points away.
///
/// Every socket is an open file. At the process's open-file limit, accepting simply fails, but
/// anything else that needs a file then fails too: the database, the log, and libdispatch's
/// worker monitor, whose failed open of `/proc` ends the process (the simulator crashed that
/// way). So a node stops taking charge points `ServerConfiguration.reservedFiles` short of its limit: their upgrades
/// are answered 503 `full` (nginx passes them to another node) while REST calls still get in.
final class SocketCapacity: Sendable {
    /// Sockets open at most before upgrades are refused.
    let limit: Int
    private let open = Atomic(0)
    private let lastWarning = Mutex<ContinuousClock.Instant?>(nil)

    /// `openFiles`: the process's limit on open files.
    init(openFiles: Int) {
        limit = ServerConfiguration.stationCapacity(openFiles: openFiles)
    }

    /// Sockets now open.
    var count: Int { open.load(ordering: .relaxed) }

    /// A socket was accepted.
    func opened() { open.add(1, ordering: .relaxed) }

    /// A socket closed.
    func closed() { open.subtract(1, ordering: .relaxed) }

    /// Whether another charge point may connect; says so in the log, once a minute at most, when not.
    func admitsStation(logger: Logger) -> Bool {
        let count = self.count
        guard count > limit else { return true }
        let now = ContinuousClock.now
        let warn = lastWarning.withLock { last in
            guard last.map({ now - $0 >= .seconds(60) }) ?? true else { return false }
            last = now
            return true
        }
        if warn {
            logger.warning(
                "open-file limit near: charge points are refused (503 full) until sockets close; raise the hard limit (ulimit -Hn, systemd LimitNOFILE=)",
                metadata: ["sockets": "\(count)", "limit": "\(limit)"])
        }
        return false
    }
}
