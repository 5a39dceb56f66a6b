import NIOPosix

/// A task executor that runs its jobs on a one-thread `NIOThreadPool`: the
/// writers' loops run on it (`StoreLifecycle`), on SQLite on the pool that
/// also runs the SQLite calls of the writer's connection.
///
/// Each statement the SQLite writer runs goes to its pool thread, and the
/// writer's task goes on once it is done. With the task on a thread of its
/// own, every statement woke two threads in turn; on a busy machine each
/// wake-up waits for a core, and during a reconnect storm a batch of a few
/// hundred writes took 20–88 ms instead of a few. With the task on the pool
/// thread itself, the statement and the task's next step are queued on one
/// thread, which runs them one after the other without sleeping.
final class ThreadPoolExecutor: TaskExecutor {
    private let pool: NIOThreadPool

    /// `pool` must have exactly one thread: a task's jobs run in order, one at a time.
    init(pool: NIOThreadPool) {
        self.pool = pool
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A pool that has stopped runs the item at once on this thread, marked cancelled: the job
        // runs all the same, so that no task is left waiting forever.
        pool.submit { _ in job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
