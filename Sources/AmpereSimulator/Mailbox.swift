import Synchronization

/// Events for one consumer task, which waits for the next one or a deadline,
/// whichever comes first. Posting never blocks, so OCPP handlers (which run
/// inside the receive loop and must not wait for the network) can post.
final class Mailbox<Event: Sendable>: Sendable {
    private struct State {
        var events: [Event] = []
        var waiter: CheckedContinuation<Event?, Never>?
    }

    private let state = Mutex(State())

    init() {}

    /// Delivers `event` to the waiting consumer, or keeps it for the next wait.
    func post(_ event: Event) {
        let waiter = state.withLock { state -> CheckedContinuation<Event?, Never>? in
            guard let waiter = state.waiter else {
                state.events.append(event)
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: event)
    }

    /// Forgets events nobody consumed (from before a session began).
    func removeAll() {
        state.withLock { $0.events.removeAll() }
    }

    /// The next event; nil once `deadline` passes or the task is cancelled.
    func next(until deadline: ContinuousClock.Instant?) async -> Event? {
        if let ready = state.withLock({ $0.events.isEmpty ? nil : $0.events.removeFirst() }) { return ready }
        guard let deadline else { return await receive() }
        return await withTaskGroup(of: Event?.self) { group in
            group.addTask { await self.receive() }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            var event = await group.next() ?? nil
            group.cancelAll()
            // The receiver may have taken an event while the timer won: keep it.
            while let other = await group.next() {
                if event == nil { event = other }
            }
            return event
        }
    }

    /// Waits for an event; nil when the task is cancelled first.
    private func receive() async -> Event? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Event?, Never>) in
                let immediate = state.withLock { state -> Event?? in
                    if !state.events.isEmpty { return .some(state.events.removeFirst()) }
                    // Checked under the lock, so that a cancellation racing this
                    // registration either sees the waiter or is seen here.
                    if Task.isCancelled { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Event?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }
}
