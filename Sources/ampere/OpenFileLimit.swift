#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's limit on open files, which every connection counts against: a station's
/// socket in the server, a simulated one in the load generator.
enum OpenFileLimit {
    /// Raises the soft limit to the hard one (the default soft limit, often
    /// 1,024, would stop a fleet long before the server does); returns the
    /// soft limit now in force, nil when it cannot be read.
    @discardableResult
    static func raise() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur >= rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    /// Raises the limit (`raise()`) for a process that will hold `sockets` sockets, and returns
    /// the limit when that still leaves no room for them and a few other files; nil when it does.
    static func shortfall(forSockets sockets: Int) -> Int? {
        guard let limit = raise(), limit < sockets + otherFiles else { return nil }
        return limit
    }

    /// Files a simulator or load generator holds beside its sockets.
    static let otherFiles = 64
}
