#if os(Linux)
    import Foundation
    import Glibc
    import Testing

    @testable import AmpereStorage

    /// Background threads run at a lower priority, and only they do.
    @Suite struct BackgroundPriorityTests {
        static func niceness(of thread: id_t) -> Int32 {
            getpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread)
        }

        @Test func onlyTheCallingThreadIsLowered() async throws {
            let callerThread = try #require(BackgroundPriority.currentThreadID())
            let callerBefore = Self.niceness(of: callerThread)
            let seen = await withCheckedContinuation { (continuation: CheckedContinuation<(id_t?, Int32), Never>) in
                let thread = Thread {
                    BackgroundPriority.applyToCurrentThread()
                    let id = BackgroundPriority.currentThreadID()
                    continuation.resume(returning: (id, id.map(Self.niceness) ?? -100))
                }
                thread.start()
            }
            let backgroundThread = try #require(seen.0)
            #expect(backgroundThread != callerThread)
            // A new thread starts at its creator's nice value; a higher one is kept.
            #expect(seen.1 == max(callerBefore, BackgroundPriority.niceness))
            #expect(Self.niceness(of: callerThread) == callerBefore)
        }
    }
#endif
