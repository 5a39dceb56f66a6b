import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

#if os(Linux)
    import Glibc
#endif

/// One bench station's WebSocket connection, on a plain NIO `ClientBootstrap`.
///
/// WSClient (swift-websocket), which the simulator uses, builds its own
/// bootstrap and so cannot bind a source address, and it always closes with
/// the closing handshake; a load generator needs both: thousands of
/// connections from several loopback addresses, and sockets dropped abruptly.
struct StationConnection: Sendable {
    let channel: any Channel
    /// A second descriptor of the channel's socket, when opened with `keepDescriptor`: the
    /// throughput scenario's `EpollRoundTripLoop` reads and writes it while the channel does not.
    let descriptor: SocketDescriptor?
    /// Set by `drop()`: a call this cut short is the scenario's doing, not an error of the server's.
    private let droppedHere = DropMark()

    /// The connection could not be made or was not upgraded.
    struct Refused: Error, CustomStringConvertible {
        var description: String { "the WebSocket upgrade was refused" }
    }

    /// Connects charge point `id`, from `source` when given, and completes
    /// the WebSocket upgrade with subprotocol `ocpp1.6` within `timeout`.
    /// `onClose` runs on the event loop when the socket is gone. With `keepDescriptor` (Linux
    /// only) the generator connects the socket itself and keeps a second descriptor of it.
    static func open(
        endpoint: BenchEndpoint, id: String, source: SocketAddress?, timeout: TimeAmount,
        serverCalls: ServerCallCounter, onClose: (@Sendable () -> Void)? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, keepDescriptor: Bool = false
    ) async throws -> StationConnection {
        var bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        if let source, !keepDescriptor {
            #if os(Linux)
                bootstrap = bootstrap.channelOption(
                    ChannelOptions.Types.SocketOption(level: .ip, name: .init(rawValue: SourceAddresses.bindAddressNoPort)),
                    value: 1)
            #endif
            bootstrap = bootstrap.bind(to: source)
        }
        let path = endpoint.requestPath(id: id)
        let hostHeader = endpoint.hostHeader
        let initializer: @Sendable (any Channel) -> EventLoopFuture<EventLoopFuture<(any Channel)?>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                let upgrader = NIOTypedWebSocketClientUpgrader<(any Channel)?>(maxFrameSize: 1 << 20) { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            StationChannelHandler(serverCalls: serverCalls, onClose: onClose))
                        return channel
                    }
                }
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: hostHeader)
                headers.add(name: "Sec-WebSocket-Protocol", value: "ocpp1.6")
                let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                let upgrade = NIOTypedHTTPClientUpgradeConfiguration<(any Channel)?>(
                    upgradeRequestHead: head, upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in
                        channel.close(promise: nil)
                        return channel.eventLoop.makeSucceededFuture(nil)
                    })
                var configuration = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgrade)
                configuration.leftOverBytesStrategy = .forwardBytes
                let result = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
                    configuration: configuration)
                // A server that accepts the socket but never answers the upgrade.
                let guardTimer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
                result.whenComplete { _ in guardTimer.cancel() }
                return result
            }
        }
        var descriptor: SocketDescriptor?
        let upgraded: EventLoopFuture<(any Channel)?>
        if keepDescriptor {
            #if os(Linux)
                // A blocking connect(), off the tasks' threads.
                let socket = try await NIOThreadPool.singleton.runIfActive {
                    try ConnectedSocket.connect(to: endpoint, from: source, timeout: timeout)
                }
                let second = dup(socket)
                guard second >= 0 else {
                    let failure = ConnectedSocket.Failed(call: "dup", code: errno)
                    _ = Glibc.close(socket)
                    throw failure
                }
                let copy = SocketDescriptor(second)
                descriptor = copy
                do {
                    upgraded = try await bootstrap.withConnectedSocket(socket, channelInitializer: initializer)
                } catch {
                    copy.close()
                    throw error
                }
            #else
                throw Refused()
            #endif
        } else {
            upgraded = try await bootstrap.connect(host: endpoint.host, port: endpoint.port, channelInitializer: initializer)
        }
        do {
            guard let channel = try await upgraded.get() else { throw Refused() }
            return StationConnection(channel: channel, descriptor: descriptor)
        } catch {
            descriptor?.close()
            throw error
        }
    }

    var allocator: ByteBufferAllocator { channel.allocator }
    var isOpen: Bool { channel.isActive }
    /// Whether this side dropped the connection (`drop()`).
    var wasDroppedHere: Bool { droppedHere.isSet }

    /// Sends a CALL frame numbered `id` and waits for its outcome.
    func call(_ frame: ByteBuffer, id: UInt64, timeout: TimeAmount) async -> CallOutcome {
        let promise = channel.eventLoop.makePromise(of: CallOutcome.self)
        channel.writeAndFlush(StationOutbound.call(frame: frame, id: id, timeout: timeout, promise: promise))
            .whenFailure { _ in
                // Never reached the handler (the channel was already closed): nobody else completes it.
                promise.succeed(.closed)
            }
        // The promise is only ever succeeded.
        return (try? await promise.futureResult.get()) ?? .closed
    }

    /// Closes with the WebSocket closing handshake's first half, then the socket.
    func close() async {
        descriptor?.close()
        try? await channel.writeAndFlush(StationOutbound.close).get()
        try? await channel.closeFuture.get()
    }

    /// Drops the connection as a network failure would: no close frame, and a
    /// TCP reset instead of a FIN (SO_LINGER 0), so the server only learns of
    /// it from the socket.
    func drop() {
        droppedHere.set()
        descriptor?.close()
        let channel = self.channel
        guard let socket = channel as? any SocketOptionProvider else {
            channel.close(promise: nil)
            return
        }
        socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
    }
}

/// Whether a connection was dropped on purpose, shared by its copies.
final class DropMark: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// A socket descriptor that is closed once, by whichever copy of its connection closes first.
final class SocketDescriptor: Sendable {
    let value: CInt
    private let closed = Atomic(false)

    init(_ value: CInt) { self.value = value }

    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        #if os(Linux)
            _ = Glibc.close(value)
        #endif
    }

    deinit { close() }
}
