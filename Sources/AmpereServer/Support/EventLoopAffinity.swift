#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// Pins each event loop of a group to a CPU of its own (`--pin-event-loops`).
///
/// On a machine shared with other busy threads (a load generator, PostgreSQL),
/// event loops the scheduler may move about sometimes land on one core together
/// and stall every connection of one of them for a time slice: in the Heartbeat
/// closed loop the p99 was 2.2–2.5 times the mean latency, and 1.55–1.62 times
/// with the two loops pinned one to each core (docs/PERFORMANCE.md, twenty-eighth
/// session).
enum EventLoopAffinity {
    /// The CPUs this process may run on (its affinity mask), in order; nil where that cannot be read.
    static func allowedCPUs() -> [Int]? {
        #if os(Linux)
        guard let call = Syscalls.getAffinity else { return nil }
        var set = cpu_set_t()
        guard call(0, MemoryLayout<cpu_set_t>.size, &set) == 0 else { return nil }
        return withUnsafeBytes(of: &set) { bytes in
            (0..<(bytes.count * 8)).filter { bytes[$0 / 8] & (1 << UInt8($0 % 8)) != 0 }
        }
        #else
        return nil
        #endif
    }

    /// Pins the group's event loops to the allowed CPUs, one each, in turn; returns the CPU of each
    /// loop, or nil where fewer than two CPUs are allowed or affinity cannot be set (then nothing is
    /// pinned, or, should a later loop fail where an earlier one did not, the earlier ones stay so).
    static func pin(_ group: any EventLoopGroup) async -> [Int]? {
        #if os(Linux)
        guard let cpus = allowedCPUs(), cpus.count >= 2, let set = Syscalls.setAffinity else { return nil }
        var pinned: [Int] = []
        for (index, loop) in group.makeIterator().enumerated() {
            let cpu = cpus[index % cpus.count]
            let done = try? await loop.submit { () -> Bool in
                var mask = cpu_set_t()
                withUnsafeMutableBytes(of: &mask) { $0[cpu / 8] |= 1 << UInt8(cpu % 8) }
                // Thread id 0: the calling thread, this event loop's.
                return set(0, MemoryLayout<cpu_set_t>.size, &mask) == 0
            }.get()
            guard done == true else { return nil }
            pinned.append(cpu)
        }
        return pinned
        #else
        return nil
        #endif
    }

    /// The CPU of the calling thread's affinity when it holds exactly one (tests).
    static func currentThreadCPU() -> Int? {
        guard let cpus = allowedCPUs(), cpus.count == 1 else { return nil }
        return cpus[0]
    }
}

#if os(Linux)
/// `sched_getaffinity` and `sched_setaffinity`, which Glibc's Swift module does not export
/// (they need `_GNU_SOURCE`): looked up in the C library once.
private enum Syscalls {
    typealias Affinity = @convention(c) (pid_t, Int, UnsafeMutablePointer<cpu_set_t>) -> Int32

    static let getAffinity: Affinity? = lookUp("sched_getaffinity")
    static let setAffinity: Affinity? = lookUp("sched_setaffinity")

    private static func lookUp(_ name: String) -> Affinity? {
        // RTLD_DEFAULT: the symbol as the process's libraries define it.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: Affinity.self)
    }
}
#endif
