import Logging
import NIOCore
import OCPPCore
import Synchronization

/// One station's connection on this node: takes its messages from the
/// event loop and runs them through the session one at a time, in order.
///
/// A task runs only while messages wait: set-up first, then a drain that
/// ends when the queue is empty, and a new one when the next message comes.
/// An idle connection therefore holds no task and no stack, and its socket's
/// close is cleaned up on the event loop that reports it, with no task either.
final class StationConnection: WebSocketMessageSink {
    /// What a set-up connection works with.
    struct Live: Sendable {
        let station: LiveStation
        let recorder: MessageLogRecorder
        /// Logs, counts and queues a frame on the socket.
        let send: @Sendable ([UInt8]) -> Void
        /// The same for the answer to a received CALL, logged without parsing it again.
        let sendAnswer: @Sendable ([UInt8], OCPPCall) -> Void
    }

    /// A received message waiting for the connection's task.
    enum Inbound: Sendable {
        /// As it came from the socket.
        case frame([UInt8])
        /// Parsed, logged and counted already, by `received(_:)`'s attempt to serve it at once.
        case noted(OCPPMessage)
    }

    /// Messages queued beyond this pause reading from the socket (a peer
    /// that sends without waiting for answers); reading resumes at half.
    static let highWater = 64

    private enum Phase {
        /// Being set up, or draining the queue: a task is running.
        case running
        /// No task; the next message starts one.
        case idle
        case ended
    }

    private struct State {
        var phase = Phase.running
        var queue = CircularBuffer<Inbound>(initialCapacity: 1)
        var socketClosed = false
        var paused = false
        var live: Live?
    }

    private let handler: StationConnectionHandler
    private let accepted: AcceptedStation
    private let connection: WebSocketConnection
    private let logger: Logger
    private let state = Mutex(State())

    init(handler: StationConnectionHandler, accepted: AcceptedStation, connection: WebSocketConnection, logger: Logger) {
        self.handler = handler
        self.accepted = accepted
        self.connection = connection
        self.logger = logger
    }

    /// Sets the connection up, then handles what arrived meanwhile.
    func start() {
        Task {
            do {
                let live = try await handler.setUp(accepted, connection: connection, logger: logger)
                state.withLock { $0.live = live }
            } catch {
                logger.error("could not set up the connection", metadata: ["error": "\(error)"])
                connection.close(.unexpectedServerError, reason: "")
            }
            await drain()
        }
    }

    func received(_ message: [UInt8]) -> Bool {
        // With nothing queued and no task running, a message whose handler
        // need not wait is served here, on the event loop: no hand-off to the
        // task pool and back. Order holds: only the connection's event loop,
        // where this runs, moves an idle connection to running; and while an
        // answer the task sent still waits to be written, this one queues
        // behind it (written here at once, it would have gone out first).
        if let live = state.withLock({ $0.phase == .idle ? $0.live : nil }), !connection.hasQueuedWrites {
            guard let waiting = handler.receiveImmediately(message, on: live) else { return true }
            return enqueue(.noted(waiting))
        }
        return enqueue(.frame(message))
    }

    /// Queues a message for the connection's task, starting one if none runs.
    private func enqueue(_ inbound: Inbound) -> Bool {
        let (startDrain, keepReading) = state.withLock { state -> (Bool, Bool) in
            guard state.phase != .ended else { return (false, true) }
            state.queue.append(inbound)
            var start = false
            if state.phase == .idle {
                state.phase = .running
                start = true
            }
            if state.queue.count >= Self.highWater { state.paused = true }
            return (start, !state.paused)
        }
        if startDrain { Task { await drain() } }
        return keepReading
    }

    func ended() {
        let (idle, live) = state.withLock { state -> (Bool, Live?) in
            state.socketClosed = true
            guard state.phase == .idle else { return (false, nil) }
            state.phase = .ended
            return (true, state.live)
        }
        // A running task tears down when its queue is empty. An idle
        // connection has nothing queued and its tear-down needs no waiting,
        // so it runs here on the event loop: a task per closed socket would
        // wake the task pool's threads, which on a small machine take the
        // cores the event loops need when thousands of connections drop at once.
        guard idle else { return }
        if let live { handler.tearDown(live, logger: logger) }
    }

    private enum Step {
        case message(Inbound, Live?, resume: Bool)
        case tearDown(Live?)
        case idle
    }

    /// Handles queued messages in order until none is left.
    private func drain() async {
        while true {
            let step = state.withLock { state -> Step in
                if let message = state.queue.popFirst() {
                    let resume = state.paused && state.queue.count <= Self.highWater / 2
                    if resume { state.paused = false }
                    return .message(message, state.live, resume: resume)
                }
                if state.socketClosed {
                    state.phase = .ended
                    return .tearDown(state.live)
                }
                state.phase = .idle
                return .idle
            }
            switch step {
            case .message(let message, let live, let resume):
                if resume { connection.resumeReading() }
                // Messages of a connection that could not be set up are dropped: its socket is closing.
                if let live { await handler.receive(message, on: live) }
            case .tearDown(let live):
                if let live { handler.tearDown(live, logger: logger) }
                return
            case .idle:
                return
            }
        }
    }
}
