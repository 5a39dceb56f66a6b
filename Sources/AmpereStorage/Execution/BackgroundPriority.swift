#if canImport(Glibc)
    import Glibc
#endif

/// Lowers the scheduling priority of the calling thread, for work nobody
/// waits on (the message log's writes): on a machine whose cores are busy,
/// the connections' threads then go first and the background catches up
/// when they idle, instead of taking a core away in bursts.
enum BackgroundPriority {
    /// The nice value background threads run at (0 is the default, 19 the lowest).
    static let niceness: Int32 = 5

    /// Applies `niceness` (or keeps a higher one) to the calling thread only; does nothing where that is unsupported.
    static func applyToCurrentThread() {
        #if os(Linux)
            // Linux applies PRIO_PROCESS to the one thread whose id is given.
            guard let thread = currentThreadID() else { return }
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            // Never raised above what the process was started with (`nice ampere serve`).
            _ = setpriority(which, thread, max(getpriority(which, thread), niceness))
        #endif
    }

    #if os(Linux)
        /// The kernel's id of the calling thread: `/proc/thread-self` links to `<pid>/task/<tid>`
        /// (Glibc's `gettid` is not visible to Swift).
        static func currentThreadID() -> id_t? {
            var buffer = [CChar](repeating: 0, count: 64)
            let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
            guard count > 0 else { return nil }
            let link = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return link.split(separator: "/").last.flatMap { id_t($0) }
        }
    #endif
}
