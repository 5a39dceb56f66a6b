import Foundation

/// A task executor with a thread of its own, for the one loop whose every
/// step everything else waits on: the database writer.
///
/// On the shared concurrency pool, each time the writer's task resumes (after
/// every statement) it queues behind hundreds of connections' tasks; under
/// load that queueing was most of a batch's time. Here it resumes at once.
final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var stopping = false
    private let condition = NSCondition()

    /// Starts the thread, at background priority when asked; it runs until `stop()`.
    init(name: String, background: Bool = false) {
        let thread = Thread { [self] in
            if background { BackgroundPriority.applyToCurrentThread() }
            loop()
        }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread once the jobs queued so far have run.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        var running: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            swap(&running, &jobs)
            condition.unlock()
            for job in running { job.runSynchronously(on: asUnownedTaskExecutor()) }
            running.removeAll(keepingCapacity: true)
        }
    }
}
