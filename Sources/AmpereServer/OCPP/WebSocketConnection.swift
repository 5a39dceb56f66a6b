import NIOCore
import NIOWebSocket
import Synchronization

/// The server end of one upgraded WebSocket, usable from any task: writes
/// text frames and starts the closing handshake. The frames themselves are
/// read by `OCPPWebSocketHandler` on the channel's event loop.
struct WebSocketConnection: Sendable {
    let channel: any Channel
    /// Frames sent from other threads that the event loop has not written yet.
    private let queuedWrites = QueuedWrites()

    init(channel: any Channel) {
        self.channel = channel
    }

    /// Queues one text frame on the channel, in order after the frames queued
    /// before it, and returns at once: waiting for the write would cost two
    /// more thread hand-offs per message. A frame for a socket that is gone is
    /// dropped; the connection's end is reported by the channel.
    func sendText(_ bytes: [UInt8]) {
        let frame = WebSocketWire.serverFrame(.text, payload: bytes, allocator: channel.allocator)
        if channel.eventLoop.inEventLoop {
            channel.writeAndFlush(frame, promise: nil)
            return
        }
        // NIO runs a write from another thread as a task on the event loop; counted until it ran,
        // so that the event loop does not answer a later message directly ahead of it.
        queuedWrites.count.add(1, ordering: .sequentiallyConsistent)
        channel.eventLoop.execute { [channel, queuedWrites] in
            channel.writeAndFlush(frame, promise: nil)
            queuedWrites.count.subtract(1, ordering: .sequentiallyConsistent)
        }
    }

    /// True while a frame sent from another thread waits for the event loop to write it.
    var hasQueuedWrites: Bool { queuedWrites.count.load(ordering: .sequentiallyConsistent) > 0 }

    /// Sends a close frame with `code`; the socket closes when the peer
    /// answers it, or after the close timeout.
    func close(_ code: WebSocketErrorCode, reason: String) {
        channel.triggerUserOutboundEvent(WebSocketCloseRequest(code: code, reason: reason), promise: nil)
    }

    /// Returns once the socket is closed.
    func closed() async {
        try? await channel.closeFuture.get()
    }

    /// Reads again after `OCPPWebSocketHandler` paused reading for a full queue
    /// (unless its outbound buffer is full too).
    func resumeReading() {
        channel.triggerUserOutboundEvent(WebSocketResumeReading(), promise: nil)
    }
}

/// Tells `OCPPWebSocketHandler` that the sink's queue has room again.
struct WebSocketResumeReading: Sendable {}

/// Asks `OCPPWebSocketHandler` to start the closing handshake.
struct WebSocketCloseRequest: Sendable {
    let code: WebSocketErrorCode
    let reason: String
}

/// Where `OCPPWebSocketHandler` hands whole messages, and says the socket closed.
protocol WebSocketMessageSink: Sendable {
    /// Takes one whole message, in arrival order; returns false when the
    /// receiver's queue is full and reading should pause until
    /// `WebSocketConnection.resumeReading()`.
    func received(_ message: [UInt8]) -> Bool
    /// The socket closed; no message follows.
    func ended()
}

/// A counter shared by the copies of one connection's `WebSocketConnection`.
private final class QueuedWrites: Sendable {
    let count = Atomic<Int>(0)
}
