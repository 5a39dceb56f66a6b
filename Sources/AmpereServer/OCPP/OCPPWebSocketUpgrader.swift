import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The WebSocket upgrade of an OCPP connection: NIO's handshake (RFC 6455
/// §4.2: the key, the version, the accept header, and `shouldUpgrade`'s
/// verdict), then only what `upgradePipelineHandler` adds. NIO's own
/// upgrader would also add its frame decoder and encoder, which
/// `OCPPWebSocketHandler` does without.
struct OCPPWebSocketUpgrader<UpgradeResult: Sendable>: NIOTypedHTTPServerProtocolUpgrader {
    let supportedProtocol = "websocket"
    /// None, as in NIO's upgrader: RFC 6455 does not make clients name the
    /// key and version in `Connection`; the handshake checks them itself.
    let requiredUpgradeHeaders: [String] = []
    private let handshake: NIOTypedWebSocketServerUpgrader<UpgradeResult>
    private let upgradePipelineHandler: @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<UpgradeResult>

    /// - Parameters:
    ///   - shouldUpgrade: the extra response headers of an accepted upgrade, or nil to refuse it.
    ///   - upgradePipelineHandler: sets the upgraded channel's pipeline up, after the 101 went out.
    init(
        shouldUpgrade: @escaping @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?>,
        upgradePipelineHandler: @escaping @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<UpgradeResult>
    ) {
        self.handshake = NIOTypedWebSocketServerUpgrader(
            shouldUpgrade: shouldUpgrade,
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
            })
        self.upgradePipelineHandler = upgradePipelineHandler
    }

    func buildUpgradeResponse(
        channel: any Channel, upgradeRequest: HTTPRequestHead, initialResponseHeaders: HTTPHeaders
    ) -> EventLoopFuture<HTTPHeaders> {
        handshake.buildUpgradeResponse(
            channel: channel, upgradeRequest: upgradeRequest, initialResponseHeaders: initialResponseHeaders)
    }

    func upgrade(channel: any Channel, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<UpgradeResult> {
        upgradePipelineHandler(channel, upgradeRequest)
    }
}
