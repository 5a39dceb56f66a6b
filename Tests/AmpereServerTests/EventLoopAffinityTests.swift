import NIOCore
import NIOPosix
import Testing

@testable import AmpereServer

/// `--pin-event-loops` on a group of its own: each loop's thread may then run on one CPU only,
/// a different one each, taken from the CPUs the process may use.
@Suite struct EventLoopAffinityTests {
    @Test(.enabled(if: (EventLoopAffinity.allowedCPUs()?.count ?? 0) >= 2, "needs two CPUs or more"))
    func eachLoopIsPinnedToACPUOfItsOwn() async throws {
        let allowed = try #require(EventLoopAffinity.allowedCPUs())
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let pinned = try #require(await EventLoopAffinity.pin(group))
        #expect(pinned == Array(allowed.prefix(2)))
        var seen: [Int?] = []
        for loop in group.makeIterator() {
            seen.append(try await loop.submit { EventLoopAffinity.currentThreadCPU() }.get())
        }
        #expect(seen == pinned.map(Optional.some))
        // The calling thread is left as it was.
        #expect(EventLoopAffinity.allowedCPUs() == allowed)
        try await group.shutdownGracefully()
    }
}
