import Synchronization

/// Everything the charge point has to tell the central system (but boot and
/// heartbeats), in order, delivered one at a time by the connection's drainer.
///
/// Transaction messages wait here while the charge point is offline; other
/// messages are only accepted online and dropped when the connection goes.
final class Outbox: Sendable {
    struct Entry: Sendable {
        let id: Int
        let message: OutboundMessage
        /// CALLERRORs received for it so far.
        var failures = 0
    }

    private struct State {
        var entries: [Entry] = []
        var replies: [Int: CheckedContinuation<OutboundAnswer?, Never>] = [:]
        var nextId = 1
        var online = false
        /// The drainer, waiting for an entry.
        var waiter: CheckedContinuation<Entry?, Never>?
    }

    private let state = Mutex(State())
    /// Transaction messages kept at most; beyond it the oldest MeterValues go.
    let capacity: Int
    let stats: SimulatorStats

    init(capacity: Int, stats: SimulatorStats) {
        self.capacity = max(capacity, 2)
        self.stats = stats
    }

    /// Messages waiting, transaction messages and others.
    var count: Int { state.withLock { $0.entries.count } }

    /// Queues `message`; false when it was dropped because the charge point is offline.
    @discardableResult
    func enqueue(_ message: OutboundMessage) -> Bool {
        add(message, reply: nil)
    }

    /// Queues `message` and waits for its answer; nil when offline, refused or
    /// unanswered, or when the task is cancelled.
    func request(_ message: OutboundMessage) async -> OutboundAnswer? {
        let id = state.withLock { state -> Int in
            defer { state.nextId += 1 }
            return state.nextId
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled || !add(message, reply: (id, continuation)) {
                    continuation.resume(returning: nil)
                }
            }
        } onCancel: {
            complete(id, with: nil)
        }
    }

    /// Online: messages are taken. Offline: every message but transaction
    /// messages is dropped, and waiting requesters get nil.
    func setOnline(_ online: Bool) {
        let dropped = state.withLock { state -> [CheckedContinuation<OutboundAnswer?, Never>] in
            state.online = online
            guard !online else { return [] }
            let gone = state.entries.filter { !$0.message.isTransactionMessage }.map(\.id)
            state.entries.removeAll { !$0.message.isTransactionMessage }
            return gone.compactMap { state.replies.removeValue(forKey: $0) }
        }
        for reply in dropped { reply.resume(returning: nil) }
    }

    /// The oldest message, once there is one; it stays queued until
    /// `complete(_:with:)`. nil when the task is cancelled.
    func head() async -> Entry? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Entry?? in
                    if let first = state.entries.first { return .some(first) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Entry?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Removes the message `id` and hands its requester `answer`.
    func complete(_ id: Int, with answer: OutboundAnswer?) {
        let reply = state.withLock { state in
            state.entries.removeAll { $0.id == id }
            return state.replies.removeValue(forKey: id)
        }
        reply?.resume(returning: answer)
    }

    /// Counts a CALLERROR for the message `id`; returns how many it has had.
    func recordFailure(_ id: Int) -> Int {
        state.withLock { state in
            guard let index = state.entries.firstIndex(where: { $0.id == id }) else { return 0 }
            state.entries[index].failures += 1
            return state.entries[index].failures
        }
    }

    private func add(_ message: OutboundMessage, reply: (id: Int, CheckedContinuation<OutboundAnswer?, Never>)?)
        -> Bool
    {
        typealias Wake = (CheckedContinuation<Entry?, Never>, Entry?)
        let (accepted, wake, dropped) = state.withLock {
            state -> (Bool, Wake?, CheckedContinuation<OutboundAnswer?, Never>??) in
            guard state.online || message.isTransactionMessage else { return (false, nil, nil) }
            let id = reply?.id ?? state.nextId
            if reply == nil { state.nextId += 1 }
            state.entries.append(Entry(id: id, message: message))
            if let reply { state.replies[id] = reply.1 }
            let dropped = Self.trim(&state, capacity: capacity)
            let wake = state.waiter.map { ($0, state.entries.first) }
            state.waiter = nil
            return (true, wake, dropped)
        }
        if let dropped {
            stats.transactionMessagesDropped.add(1, ordering: .relaxed)
            dropped?.resume(returning: nil)
        }
        if let (waiter, entry) = wake { waiter.resume(returning: entry) }
        return accepted
    }

    /// Over capacity, drops the oldest MeterValues but the one being sent
    /// (never a start or a stop); returns its requester, if one was dropped.
    private static func trim(_ state: inout State, capacity: Int) -> CheckedContinuation<OutboundAnswer?, Never>?? {
        guard state.entries.count > capacity,
            let index = state.entries.indices.dropFirst().first(where: {
                if case .meterValues = state.entries[$0].message { return true }
                return false
            })
        else { return nil }
        let removed = state.entries.remove(at: index)
        return .some(state.replies.removeValue(forKey: removed.id))
    }
}
