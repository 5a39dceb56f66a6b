@testable import AmpereServer
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

/// The server's pings on one connection, on an embedded event loop whose
/// clock the tests move: a ping each period, a connection dropped when one
/// goes unanswered, and nothing kept or sent for a connection that ended.
@Suite struct WebSocketPingTests {
    private static let period = TimeAmount.seconds(10)

    /// Counts what `OCPPWebSocketHandler` hands over.
    private final class Sink: WebSocketMessageSink {
        let endings = NIOLockedValueBox(0)
        func received(_ message: [UInt8]) -> Bool { true }
        func ended() { endings.withLockedValue { $0 += 1 } }
    }

    /// A connected channel running the handler, and the handler itself.
    private func connection(sink: Sink) async throws -> (EmbeddedChannel, OCPPWebSocketHandler) {
        let handler = OCPPWebSocketHandler(
            settings: .init(maxMessageSize: 65_536, pingPeriod: Self.period, closeTimeout: .seconds(1)),
            sink: sink, logger: Logger(label: "test"))
        let channel = EmbeddedChannel(handler: handler)
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).get()
        return (channel, handler)
    }

    /// Counts the pings among the frames written, each a whole frame in one
    /// buffer; a final ping's first byte is 0x89 (RFC 6455 §5.2).
    private func pings(written channel: EmbeddedChannel) throws -> Int {
        var count = 0
        while let frame = try channel.readOutbound(as: ByteBuffer.self) {
            if frame.getInteger(at: frame.readerIndex, as: UInt8.self) == 0x89 { count += 1 }
        }
        return count
    }

    private func pong(_ channel: EmbeddedChannel) throws {
        // RFC 6455 §5.1: what a client sends is masked. A final pong, masked,
        // no payload, then the 4-byte masking key.
        try channel.writeInbound(ByteBuffer(bytes: [0x8A, 0x80, 1, 2, 3, 4]))
    }

    @Test func aPingGoesOutEachPeriodWhileThePeerAnswers() async throws {
        let (channel, _) = try await connection(sink: Sink())
        channel.embeddedEventLoop.advanceTime(by: Self.period - .milliseconds(1))
        #expect(try pings(written: channel) == 0)
        for _ in 0..<3 {
            channel.embeddedEventLoop.advanceTime(by: Self.period)
            #expect(try pings(written: channel) == 1)
            try pong(channel)
        }
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test func aConnectionWhosePingGoesUnansweredIsClosedAtTheNextOne() async throws {
        let sink = Sink()
        let (channel, _) = try await connection(sink: sink)
        channel.embeddedEventLoop.advanceTime(by: Self.period)
        #expect(try pings(written: channel) == 1)
        channel.embeddedEventLoop.advanceTime(by: Self.period)
        #expect(try pings(written: channel) == 0)
        #expect(!channel.isActive)
        #expect(sink.endings.withLockedValue { $0 } == 1)
    }

    /// The pending ping of a closed connection is never cancelled (that
    /// searches the loop's timer heap); it must let go of the handler at the
    /// close, not when it fires, and then send nothing.
    @Test func aClosedConnectionsPendingPingHoldsNothingAndSendsNothing() async throws {
        let sink = Sink()
        weak var released: OCPPWebSocketHandler?
        let channel: EmbeddedChannel
        do {
            let (opened, handler) = try await connection(sink: sink)
            channel = opened
            released = handler
        }
        try await channel.close().get()
        channel.embeddedEventLoop.run()
        #expect(sink.endings.withLockedValue { $0 } == 1)
        #expect(released == nil, "the pending ping still holds the closed connection's handler")
        channel.embeddedEventLoop.advanceTime(by: Self.period * 3)
        #expect(try pings(written: channel) == 0)
        #expect(sink.endings.withLockedValue { $0 } == 1)
    }
}
