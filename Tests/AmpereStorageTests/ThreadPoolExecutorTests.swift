#if os(Linux)
    import Foundation
    import NIOPosix
    import Synchronization
    import Testing

    @testable import AmpereStorage

    /// A task preferring a `ThreadPoolExecutor` runs on the pool's one thread,
    /// and comes back to it after every call it sends to that pool: the SQLite
    /// writer's loop and its statements share one thread.
    @Suite struct ThreadPoolExecutorTests {
        private static func withPool(_ body: (NIOThreadPool) async throws -> Void) async throws {
            let pool = NIOThreadPool(numberOfThreads: 1)
            pool.start()
            do {
                try await body(pool)
            } catch {
                try? await pool.shutdownGracefully()
                throw error
            }
            try await pool.shutdownGracefully()
        }

        /// The kernel's name of the calling thread.
        private static func threadName() -> String {
            let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
            return name.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        @Test func theTaskAndThePoolsWorkShareOneThread() async throws {
            try await Self.withPool { pool in
                let poolThread = try await pool.runIfActive { BackgroundPriority.currentThreadID() }
                let executor = ThreadPoolExecutor(pool: pool)
                let seen = await Task(executorPreference: executor) { () -> [id_t?] in
                    var threads = [BackgroundPriority.currentThreadID()]
                    for _ in 0..<100 {
                        // What the SQLite driver does for each statement.
                        threads.append(try? await pool.runIfActive { BackgroundPriority.currentThreadID() })
                        threads.append(BackgroundPriority.currentThreadID())
                    }
                    return threads
                }.value
                let caller = BackgroundPriority.currentThreadID()
                #expect(poolThread != nil)
                #expect(poolThread != caller)
                #expect(seen.count == 201)
                #expect(seen.allSatisfy { $0 == poolThread })
            }
        }

        @Test func jobsStillRunOnceThePoolHasStopped() async throws {
            let pool = NIOThreadPool(numberOfThreads: 1)
            pool.start()
            let executor = ThreadPoolExecutor(pool: pool)
            try await pool.shutdownGracefully()
            // Without a thread to run on, the job runs where it was queued instead of being lost.
            let value = await Task(executorPreference: executor) { 6 * 7 }.value
            #expect(value == 42)
        }

        @Test func theSQLiteWritersWorkRunsOnOneThread() async throws {
            var threads: [String] = []
            try await SQLiteFile.withTemporary { file, _ in
                threads = try await withThrowingTaskGroup(of: [String].self) { group in
                    for _ in 0..<20 {
                        group.addTask {
                            try await file.writer.write { database in
                                let before = Self.threadName()
                                try await database.raw("SELECT 1").run()
                                return [before, Self.threadName()]
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
            }
            #expect(threads.count == 40)
            // Every write ran on the thread of the writer's SQLite pool (NIO names it TP-#0), before
            // and after its statement.
            #expect(Set(threads).count == 1)
            #expect(threads.first?.hasPrefix("TP-#") == true)
        }
    }
#endif
