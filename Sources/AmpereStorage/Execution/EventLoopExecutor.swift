import NIOCore

/// A task executor that runs its jobs on one NIO event loop: PostgreSQL's
/// writer loop runs on the event loop of the database's connections
/// (`PostgresStorage`), so that an answer from the database and the
/// writer's next step are queued on the one thread, with no other thread
/// to wake in between (each wake-up waits for a core on a busy machine).
final class EventLoopExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
