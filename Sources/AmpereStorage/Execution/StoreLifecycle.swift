import NIOPosix
import Synchronization

/// What every storage starts when it opens and stops first when it closes:
/// the writer loop and the gate of its reads.
final class StoreLifecycle: Sendable {
    let writer: GroupCommitWriter
    let readGate = ReadGate()
    private let writerLoop: Task<Void, Never>
    /// The writer's thread when this object started it; nil when the caller owns it.
    private let ownThread: NIOThreadPool?
    private let closed = Mutex(false)

    /// Starts `writer`'s loop on the one thread of `pool`, which the caller
    /// owns and stops (a SQLite file: that thread runs the writer connection's
    /// statements too); `drain()` ends the loop.
    convenience init(writer: GroupCommitWriter, on pool: NIOThreadPool) {
        self.init(writer: writer, executor: ThreadPoolExecutor(pool: pool), ownThread: nil)
    }

    /// Starts `writer`'s loop on a thread of its own (PostgreSQL's message
    /// log), at background priority when nobody waits on its writes;
    /// `drain()` ends the loop and the thread.
    convenience init(writer: GroupCommitWriter, background: Bool = false) {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        // The pool's first item, so it runs before any of the loop's.
        if background { thread.submit { _ in BackgroundPriority.applyToCurrentThread() } }
        self.init(writer: writer, executor: ThreadPoolExecutor(pool: thread), ownThread: thread)
    }

    /// Starts `writer`'s loop on `executor`, which the caller owns and stops after `drain()`.
    convenience init(writer: GroupCommitWriter, executor: any TaskExecutor) {
        self.init(writer: writer, executor: executor, ownThread: nil)
    }

    private init(writer: GroupCommitWriter, executor: any TaskExecutor, ownThread: NIOThreadPool?) {
        self.writer = writer
        self.ownThread = ownThread
        writerLoop = Task(executorPreference: executor) { await writer.run() }
    }

    /// Answers every queued write and waits for the running reads; false
    /// when an earlier call already did, so that closing twice is harmless.
    @discardableResult
    func drain() async -> Bool {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return false }
        writer.finish()
        await writerLoop.value
        try? await ownThread?.shutdownGracefully()
        await readGate.close()
        return true
    }
}
