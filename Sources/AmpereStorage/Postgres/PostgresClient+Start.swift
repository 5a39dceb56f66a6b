import PostgresNIO
import Synchronization

extension PostgresClient {
    /// Runs the client in a task of its own and returns once it runs, so that
    /// a first lease neither waits nor logs that the client is not running.
    /// Cancel the task to stop the client.
    func startRunning() async -> Task<Void, Never> {
        let started = Atomic(false)
        let task = Task {
            started.store(true, ordering: .releasing)
            await self.run()
        }
        while !started.load(ordering: .acquiring) { await Task.yield() }
        // `run()` marks the client running at its very start, right after the flag.
        await Task.yield()
        return task
    }
}
