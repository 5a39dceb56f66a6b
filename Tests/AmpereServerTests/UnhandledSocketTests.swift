@testable import AmpereServer
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import Testing

/// A socket accepted as the listener closes never reaches the server's
/// handler; the server closes it, and only it (the cause of a hung shutdown
/// test in CI).
@Suite struct UnhandledSocketTests {
    /// An accepted socket and its listener, each active or not.
    private func sockets(accepted active: Bool, listening: Bool) async throws -> (EmbeddedChannel, EmbeddedChannel) {
        let loop = EmbeddedEventLoop()
        let accepted = EmbeddedChannel(loop: loop)
        let listener = EmbeddedChannel(loop: loop)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
        if active { try await accepted.connect(to: address).get() }
        if listening { try await listener.connect(to: address).get() }
        return (accepted, listener)
    }

    @Test(arguments: [false, true])
    func anUnhandledSocketIsClosedOnceTheListenerIsGone(registered: Bool) async throws {
        let (accepted, listener) = try await sockets(accepted: registered, listening: false)
        OCPPServerChannel.closeIfNeverHandled(accepted, handled: NIOLockedValueBox(false), listener: listener)
        accepted.embeddedEventLoop.advanceTime(by: OCPPServerChannel.handlingGrace - .milliseconds(1))
        #expect(accepted.isOpen(), "closed before the grace period ended")
        accepted.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!accepted.isOpen())
    }

    @Test func aHandledSocketStaysOpenWhenTheListenerCloses() async throws {
        let (accepted, listener) = try await sockets(accepted: true, listening: false)
        let handled = NIOLockedValueBox(false)
        OCPPServerChannel.closeIfNeverHandled(accepted, handled: handled, listener: listener)
        handled.withLockedValue { $0 = true }
        accepted.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(accepted.isOpen())
        #expect(accepted.isActive)
    }

    @Test func anUnhandledSocketIsClosedWhenTheListenerClosesAfterTheGrace() async throws {
        let (accepted, listener) = try await sockets(accepted: true, listening: true)
        OCPPServerChannel.closeIfNeverHandled(accepted, handled: NIOLockedValueBox(false), listener: listener)
        accepted.embeddedEventLoop.advanceTime(by: OCPPServerChannel.handlingGrace * 3)
        #expect(accepted.isOpen(), "closed while its listener still ran")
        try await listener.close()
        accepted.embeddedEventLoop.advanceTime(by: OCPPServerChannel.handlingGrace)
        #expect(!accepted.isOpen())
    }

    @Test func anUnhandledSocketOfARunningListenerIsLeftAlone() async throws {
        let (accepted, listener) = try await sockets(accepted: false, listening: true)
        OCPPServerChannel.closeIfNeverHandled(accepted, handled: NIOLockedValueBox(false), listener: listener)
        accepted.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(accepted.isOpen())
    }
}

extension EmbeddedChannel {
    /// Whether the channel has not been closed yet (an embedded loop runs the close at once).
    fileprivate func isOpen() -> Bool {
        let closed = NIOLockedValueBox(false)
        closeFuture.whenComplete { _ in closed.withLockedValue { $0 = true } }
        return !closed.withLockedValue { $0 }
    }
}
