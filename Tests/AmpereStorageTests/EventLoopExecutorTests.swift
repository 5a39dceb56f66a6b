import NIOCore
import NIOPosix
import Testing

@testable import AmpereStorage

@Suite struct EventLoopExecutorTests {
    /// A task that prefers the executor runs on its event loop, before and after it awaits work
    /// that completes elsewhere: PostgreSQL's writer relies on resuming where the answers arrive.
    @Test func aTaskRunsOnTheEventLoopBeforeAndAfterItsAwaits() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let eventLoop = group.next()
        let other = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let seen = try await Task(executorPreference: EventLoopExecutor(eventLoop: eventLoop)) { () throws -> [Bool] in
            var seen = [eventLoop.inEventLoop]
            for _ in 0..<3 {
                // Completed on another thread: the task must come back to its own.
                _ = try await other.next().submit { 1 }.get()
                seen.append(eventLoop.inEventLoop)
            }
            return seen
        }.value
        #expect(seen == [true, true, true, true])
        try await other.shutdownGracefully()
        try await group.shutdownGracefully()
    }
}
