import Foundation
import Logging
import Synchronization

/// One OCPP-J RPC connection, independent of its transport.
///
/// The transport hands every received frame to `receive(_:)` and gives the
/// session a `send` closure. Incoming CALLs are dispatched through the
/// router; outgoing calls are correlated with their answers by message id,
/// one at a time (OCPP-J 1.6 §4.1.1), each with its own timeout.
///
/// State lives behind a `Mutex`, never across an `await`, so that a
/// timeout or a cancelled caller frees the outstanding slot synchronously.
public final class OCPPSession<Context: Sendable>: Sendable {
    /// Timeouts and message ids of outgoing calls.
    public struct Configuration: Sendable {
        /// How long a call may take, queue time included, when the call names no timeout.
        public var defaultTimeout: Duration
        /// Makes the message id of each outgoing CALL (at most 36 characters, OCPP-J 1.6 §4.1.3).
        public var makeMessageId: @Sendable () -> String
        /// Runs the action after the delay unless cancelled first: each outgoing call's deadline.
        /// The default sleeps in a task of its own; a transport with timers of its own (an event
        /// loop's) makes every call cheaper by passing them.
        public var scheduleTimeout: @Sendable (Duration, @escaping @Sendable () -> Void) -> OCPPScheduledTimeout

        public init(
            defaultTimeout: Duration = .seconds(30),
            makeMessageId: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() },
            scheduleTimeout: @escaping @Sendable (Duration, @escaping @Sendable () -> Void) -> OCPPScheduledTimeout =
                OCPPScheduledTimeout.sleeping
        ) {
            self.defaultTimeout = defaultTimeout
            self.makeMessageId = makeMessageId
            self.scheduleTimeout = scheduleTimeout
        }
    }

    /// What the driver tells a waiting caller.
    enum CallEvent: Sendable {
        /// The call holds the outstanding slot: send its frame.
        case sendNow
        case answered(CallOutcome)
        case failed(any Error)
    }

    /// The peer's answer to a call.
    enum CallOutcome: Sendable {
        case result(RawJSON)
        case error(OCPPCallErrorMessage)
    }

    /// Where the driver sends a pending call its events.
    typealias Waiter = PendingCall<CallEvent>

    struct State {
        var machine = RPCStateMachine()
        /// One waiter per pending call, by message id.
        var waiters: [String: Waiter] = [:]
    }

    /// The handlers of incoming CALLs and the version's definition.
    public let router: OCPPRouter<Context>
    /// Passed to every handler.
    public let context: Context
    public let configuration: Configuration
    let logger: Logger
    let send: @Sendable ([UInt8]) async throws -> Void
    let state = Mutex(State())

    /// Creates a session that writes frames with `send`.
    public init(
        router: OCPPRouter<Context>,
        context: Context,
        configuration: Configuration = .init(),
        logger: Logger,
        send: @escaping @Sendable ([UInt8]) async throws -> Void
    ) {
        self.router = router
        self.context = context
        self.configuration = configuration
        self.logger = logger
        self.send = send
    }

    /// Outstanding and queued outgoing calls.
    public var pendingCallCount: Int { state.withLock { $0.machine.pendingCount } }

    /// Handles one received frame. An incoming CALL is dispatched through
    /// the router and its answer sent before this returns, so that CALLs
    /// are answered in order when the transport awaits each receive. A
    /// CALLRESULT or CALLERROR completes the matching call; one for an
    /// unknown id is logged and dropped. Never traps, whatever the bytes.
    public func receive(_ frame: [UInt8]) async {
        // A CALL's payload is checked as its handler decodes it, by the router.
        switch receiveImmediately(OCPPMessage.parsedDeferringPayload(frame)) {
        case .handled(let answer?):
            await transmit(answer)
        case .handled(nil):
            break
        case .waits(let message):
            await receive(message)
        }
    }

    /// Handles a message that `receiveImmediately` left waiting: runs its
    /// CALL's handler and sends the answer before returning.
    public func receive(_ message: OCPPMessage) async {
        guard !isClosed else { return }
        guard case .call(let call) = message else {
            // Answers never wait: handle them as `receiveImmediately` does.
            if case .handled(let answer?) = receiveImmediately(.success(message)) { await transmit(answer) }
            return
        }
        let reply = await router.respond(to: call, context: context, logger: logger)
        guard !isClosed else { return }
        await transmit(reply)
    }

    /// What `receiveImmediately` did with a message.
    public enum ImmediateReceipt: Sendable {
        /// Handled to the end; the caller sends `answer` when there is one.
        case handled(answer: [UInt8]?)
        /// A CALL whose handler waits: nothing was done; pass it to `receive(_:)`.
        case waits(OCPPMessage)
    }

    /// Handles a parsed frame without waiting, on the caller's thread, when
    /// that is possible: an answer to one of our calls, a frame that is not
    /// valid OCPP-J, or a CALL whose handler is immediate. The transport
    /// then sends the returned answer itself, so that a message served on
    /// its connection's event loop costs no hand-off to another thread.
    public func receiveImmediately(_ parsed: Result<OCPPMessage, OCPPFrameError>) -> ImmediateReceipt {
        guard !isClosed else { return .handled(answer: nil) }
        let message: OCPPMessage
        switch parsed {
        case .success(let parsedMessage): message = parsedMessage
        case .failure(let error): return .handled(answer: rejection(of: error))
        }
        switch message {
        case .call(let call):
            guard let reply = router.respondImmediately(to: call, context: context, logger: logger) else {
                return .waits(message)
            }
            return .handled(answer: isClosed ? nil : reply)
        case .callResult(let result):
            deliver(.answered(.result(result.payload)), to: result.id)
        case .callError(let error):
            deliver(.answered(.error(error)), to: error.id)
        }
        return .handled(answer: nil)
    }

    /// Fails pending and queued calls with `OCPPSessionError.closed`; later
    /// calls throw it at once and later frames are ignored.
    public func close() {
        let waiters = state.withLock { state in
            state.machine.close().compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in waiters { waiter.finish(with: .failed(OCPPSessionError.closed)) }
    }

    /// True once `close()` was called: the connection is gone.
    public var isClosed: Bool { state.withLock { $0.machine.isClosed } }

    /// The answer to a frame that is not valid OCPP-J, if it gets one.
    private func rejection(of error: OCPPFrameError) -> [UInt8]? {
        // Only a CALL is answered (OCPP-J 1.6 §4.2): a broken CALLRESULT or
        // CALLERROR fails the call it answers, if any, and is otherwise dropped.
        if let id = error.messageId, error.messageTypeId == 3 || error.messageTypeId == 4 {
            let invalid = OCPPValidationError(.syntax, error.reason)
            deliver(.failed(OCPPSessionError.invalidResponse(invalid)), to: id)
            return nil
        }
        logger.notice(
            "invalid OCPP-J frame", metadata: ["messageId": "\(error.replyId)", "reason": "\(error.reason)"])
        return OCPPRouter<Context>.frameErrorReply(error, version: router.definition.version)
    }

    /// Completes the outstanding call `id` with `event` and lets the next
    /// queued call go; drops `event` when no outstanding call has that id.
    func deliver(_ event: CallEvent, to id: String) {
        let waiters = state.withLock { state -> (Waiter?, Waiter?)? in
            guard case .complete(_, let next) = state.machine.received(id: id) else { return nil }
            return (state.waiters.removeValue(forKey: id), next.flatMap { state.waiters[$0] })
        }
        guard let (target, next) = waiters else {
            logger.warning("dropping an answer to no outstanding call", metadata: ["messageId": "\(id)"])
            return
        }
        target?.finish(with: event)
        next?.post(.sendNow)
    }

    /// Gives up the call `id` (timeout, cancellation, failed send), tells its
    /// caller `event`, and lets the next queued call go.
    func abandon(_ id: String, telling event: CallEvent) {
        let waiters = state.withLock { state -> (Waiter?, Waiter?) in
            guard case .fail(_, let next) = state.machine.cancel(id: id) else { return (nil, nil) }
            return (state.waiters.removeValue(forKey: id), next.flatMap { state.waiters[$0] })
        }
        waiters.0?.finish(with: event)
        waiters.1?.post(.sendNow)
    }

    /// Sends a frame that answers the peer; a failure is only logged, the
    /// transport reports the broken connection.
    private func transmit(_ frame: [UInt8]) async {
        do {
            try await send(frame)
        } catch {
            logger.warning("could not send an OCPP-J frame", metadata: ["error": "\(error)"])
        }
    }
}
