import Synchronization

/// What every storage starts when it opens and stops first when it closes:
/// the writer loop and the gate of its reads.
final class StoreLifecycle: Sendable {
    let writer: GroupCommitWriter
    let readGate = ReadGate()
    private let writerLoop: Task<Void, Never>
    private let closed = Mutex(false)

    /// Starts `writer`'s loop on `executor` when given, else on a thread of
    /// its own at background priority when nobody waits on its writes; owned
    /// by this object, `drain()` ends it.
    init(writer: GroupCommitWriter, background: Bool = false, executor: (any TaskExecutor)? = nil) {
        self.writer = writer
        if let executor {
            writerLoop = Task(executorPreference: executor) { await writer.run() }
            return
        }
        let thread = DedicatedThreadExecutor(name: background ? "ampere-log-writer" : "ampere-writer", background: background)
        writerLoop = Task(executorPreference: thread) {
            await writer.run()
            thread.stop()
        }
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
        await readGate.close()
        return true
    }
}
