/// The outgoing-call state of one OCPP-J connection, as a pure value.
///
/// OCPP-J 1.6 §4.1.1 and 2.0.1 §4.1.1: a sender must not send a CALL until
/// the previous one was answered or timed out. The machine holds at most one
/// outstanding call and queues the others first in, first out. It deals in
/// message ids only: its driver keeps frames and waiters, and performs the
/// actions each event returns.
public struct RPCStateMachine: Sendable {
    /// What to do with a new call.
    public enum EnqueueAction: Sendable, Hashable {
        /// The slot is free: send the call now.
        case send(String)
        /// Another call is outstanding: wait until `send` is returned for this id.
        case wait
        /// The connection is closed: fail the call.
        case rejectClosed
        /// A call with this id is already pending: fail the new one.
        case rejectDuplicate
    }

    /// What to do with a received CALLRESULT or CALLERROR.
    public enum ReceiveAction: Sendable, Hashable {
        /// Complete the call; then send `sendNext`, if any.
        case complete(String, sendNext: String?)
        /// No outstanding call has this id (unknown, late or duplicate): log and drop.
        case ignore
    }

    /// What to do when a call is given up (timeout, cancellation, failed send).
    public enum CancelAction: Sendable, Hashable {
        /// Fail the call; then send `sendNext`, if any.
        case fail(String, sendNext: String?)
        /// The call is no longer pending: nothing to do.
        case ignore
    }

    /// The call sent and not yet answered.
    public private(set) var outstanding: String?
    /// Queued ids in order, each with the ticket it was queued under; an
    /// entry whose ticket no longer matches `tickets` was cancelled.
    private var queue: [(id: String, ticket: UInt64)] = []
    private var head = 0
    private var tickets: [String: UInt64] = [:]
    private var nextTicket: UInt64 = 0
    /// True once `close()` was called.
    public private(set) var isClosed = false

    public init() {}

    /// The number of calls waiting behind the outstanding one.
    public var queuedCount: Int { tickets.count }

    /// Outstanding and queued calls together.
    public var pendingCount: Int { tickets.count + (outstanding == nil ? 0 : 1) }

    /// The queued ids, first to be sent first.
    public var queuedIds: [String] {
        queue[head...].filter { tickets[$0.id] == $0.ticket }.map(\.id)
    }

    /// A new call with message id `id`.
    public mutating func enqueue(id: String) -> EnqueueAction {
        if isClosed { return .rejectClosed }
        if outstanding == id || tickets[id] != nil { return .rejectDuplicate }
        guard outstanding != nil else {
            outstanding = id
            return .send(id)
        }
        nextTicket += 1
        tickets[id] = nextTicket
        queue.append((id, nextTicket))
        return .wait
    }

    /// A CALLRESULT or CALLERROR for `id` arrived.
    public mutating func received(id: String) -> ReceiveAction {
        guard !isClosed, outstanding == id else { return .ignore }
        return .complete(id, sendNext: promoteNext())
    }

    /// The call `id` is given up: it timed out, its task was cancelled, or
    /// its frame could not be sent. A queued call is just removed.
    public mutating func cancel(id: String) -> CancelAction {
        guard !isClosed else { return .ignore }
        if outstanding == id {
            return .fail(id, sendNext: promoteNext())
        }
        guard tickets.removeValue(forKey: id) != nil else { return .ignore }
        compactIfIdle()
        return .fail(id, sendNext: nil)
    }

    /// The connection closed: every pending id, outstanding first, then
    /// queued in order. All of them fail.
    public mutating func close() -> [String] {
        guard !isClosed else { return [] }
        isClosed = true
        var failed = outstanding.map { [$0] } ?? []
        failed += queuedIds
        outstanding = nil
        queue = []
        head = 0
        tickets = [:]
        return failed
    }

    /// Makes the first live queued call outstanding and returns its id.
    private mutating func promoteNext() -> String? {
        outstanding = nil
        while head < queue.count {
            let entry = queue[head]
            head += 1
            if tickets[entry.id] == entry.ticket {
                tickets[entry.id] = nil
                outstanding = entry.id
                break
            }
        }
        compactIfIdle()
        return outstanding
    }

    /// Drops consumed and cancelled entries once they outnumber the live
    /// ones, so that the queue cannot grow without bound.
    private mutating func compactIfIdle() {
        if tickets.isEmpty {
            queue.removeAll(keepingCapacity: true)
            head = 0
        } else if queue.count > 64, queue.count > 2 * tickets.count {
            queue = queue[head...].filter { tickets[$0.id] == $0.ticket }
            head = 0
        }
    }
}
