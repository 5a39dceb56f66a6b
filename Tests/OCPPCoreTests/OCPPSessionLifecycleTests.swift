import OCPPCore
import Synchronization
import Testing

/// Cancellation, close, failed sends and id clashes of outgoing calls.
@Suite("OCPPSession lifecycle", .timeLimit(.minutes(1)))
struct OCPPSessionLifecycleTests {
    @Test func cancellingTheOutstandingCallFreesTheSlot() async throws {
        let (session, wire) = makeSession()
        let first = Task { try await session.call(Echo.self, EchoRequest(text: "1")) }
        _ = try await wire.call(0)
        let second = Task { try await session.call(Echo.self, EchoRequest(text: "2")) }
        #expect(try await eventually { session.pendingCallCount == 2 })
        let start = ContinuousClock.now
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        #expect(ContinuousClock.now - start < .seconds(2))
        let call2 = try await wire.call(1)
        #expect(try call2.payload.decode(as: EchoRequest.self).text == "2")
        await session.receive(bytes(#"[3,"\#(call2.id)",{"text":"two"}]"#))
        #expect(try await second.value.text == "two")
        #expect(session.pendingCallCount == 0)
    }

    @Test func cancellingAQueuedCallRemovesItFromTheQueue() async throws {
        let (session, wire) = makeSession()
        let first = Task { try await session.call(Echo.self, EchoRequest(text: "1")) }
        let call1 = try await wire.call(0)
        let second = Task { try await session.call(Echo.self, EchoRequest(text: "2")) }
        #expect(try await eventually { session.pendingCallCount == 2 })
        let third = Task { try await session.call(Echo.self, EchoRequest(text: "3")) }
        #expect(try await eventually { session.pendingCallCount == 3 })
        second.cancel()
        await #expect(throws: CancellationError.self) { try await second.value }
        #expect(session.pendingCallCount == 2)
        #expect(wire.count == 1)
        await session.receive(bytes(#"[3,"\#(call1.id)",{"text":"one"}]"#))
        #expect(try await first.value.text == "one")
        let next = try await wire.call(1)
        #expect(try next.payload.decode(as: EchoRequest.self).text == "3")
        await session.receive(bytes(#"[3,"\#(next.id)",{"text":"three"}]"#))
        #expect(try await third.value.text == "three")
    }

    @Test func aCallFromACancelledTaskIsNeverSent() async throws {
        let (session, wire) = makeSession()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await session.call(Echo.self, EchoRequest(text: "x"))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(session.pendingCallCount == 0)
        try await Task.sleep(for: .milliseconds(20))
        #expect(wire.count == 0)
    }

    @Test func aSendStuckInTheTransportGivesUpTheSlotAtItsDeadline() async throws {
        let wire = TestWire()
        let firstSend = Mutex(true)
        let released = Mutex(false)
        let session = OCPPSession(
            router: TestProtocol.router(.v16), context: "ctx:",
            configuration: .init(defaultTimeout: .seconds(3), makeMessageId: SequentialIds().make),
            logger: silentLogger
        ) { frame in
            if firstSend.withLock({ first in defer { first = false }; return first }) {
                while !released.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
            }
            try await wire.send(frame)
        }
        let start = ContinuousClock.now
        let stuck = Task { try await session.call(Echo.self, EchoRequest(text: "1"), timeout: .milliseconds(100)) }
        #expect(try await eventually { session.pendingCallCount == 1 })
        let next = Task { try await session.call(Echo.self, EchoRequest(text: "2")) }
        // The next call goes out at the first one's deadline, its send still stuck.
        let call2 = try await wire.call(0)
        #expect(ContinuousClock.now - start >= .milliseconds(100))
        #expect(try call2.payload.decode(as: EchoRequest.self).text == "2")
        released.withLock { $0 = true }
        await #expect(throws: OCPPSessionError.timeout(action: "Echo")) { try await stuck.value }
        await session.receive(bytes(#"[3,"\#(call2.id)",{"text":"two"}]"#))
        #expect(try await next.value.text == "two")
        #expect(session.pendingCallCount == 0)
    }

    @Test func closeFailsOutstandingAndQueuedCalls() async throws {
        let (session, wire) = makeSession()
        let first = Task { try await session.call(Echo.self, EchoRequest(text: "1")) }
        let call1 = try await wire.call(0)
        let second = Task { try await session.call(action: "Echo", payload: RawJSON(validating: #"{"text":"2"}"#)) }
        #expect(try await eventually { session.pendingCallCount == 2 })
        session.close()
        await #expect(throws: OCPPSessionError.closed) { try await first.value }
        await #expect(throws: OCPPSessionError.closed) { try await second.value }
        #expect(session.pendingCallCount == 0)
        await #expect(throws: OCPPSessionError.closed) { try await session.call(Echo.self, EchoRequest(text: "3")) }
        // Frames after close are ignored: no answer, no crash.
        await session.receive(bytes(#"[3,"\#(call1.id)",{"text":"late"}]"#))
        await session.receive(bytes(#"[2,"in","Echo",{"text":"hi"}]"#))
        await session.receive(bytes("garbage"))
        #expect(wire.count == 1)
        session.close()
    }

    @Test func aFailedSendFailsThatCallAndMovesOn() async throws {
        let (session, wire) = makeSession()
        wire.failNextSends(1)
        await #expect(throws: TestWire.SendFailure.self) { try await session.call(Echo.self, EchoRequest(text: "1")) }
        #expect(session.pendingCallCount == 0)
        let task = Task { try await session.call(Echo.self, EchoRequest(text: "2")) }
        let call = try await wire.call(0)
        await session.receive(bytes(#"[3,"\#(call.id)",{"text":"ok"}]"#))
        #expect(try await task.value.text == "ok")
    }

    @Test func aFailedSendOfAQueuedCallLetsTheOneAfterItGo() async throws {
        let (session, wire) = makeSession()
        let first = Task { try await session.call(Echo.self, EchoRequest(text: "1")) }
        let call1 = try await wire.call(0)
        let second = Task { try await session.call(Echo.self, EchoRequest(text: "2")) }
        #expect(try await eventually { session.pendingCallCount == 2 })
        let third = Task { try await session.call(Echo.self, EchoRequest(text: "3")) }
        #expect(try await eventually { session.pendingCallCount == 3 })
        wire.failNextSends(1)
        await session.receive(bytes(#"[3,"\#(call1.id)",{"text":"one"}]"#))
        _ = try await first.value
        await #expect(throws: TestWire.SendFailure.self) { try await second.value }
        let call3 = try await wire.call(1)
        #expect(try call3.payload.decode(as: EchoRequest.self).text == "3")
        await session.receive(bytes(#"[3,"\#(call3.id)",{"text":"three"}]"#))
        #expect(try await third.value.text == "three")
    }

    @Test func aClashingMessageIdIsRejected() async throws {
        let (session, wire) = makeSession(makeMessageId: { "same" })
        let first = Task { try await session.call(Echo.self, EchoRequest(text: "1")) }
        _ = try await wire.call(0)
        await #expect(throws: OCPPSessionError.duplicateMessageId("same")) {
            try await session.call(Echo.self, EchoRequest(text: "2"))
        }
        await session.receive(bytes(#"[3,"same",{"text":"one"}]"#))
        #expect(try await first.value.text == "one")
        #expect(session.pendingCallCount == 0)
    }

    @Test func manyConcurrentCallersAllGetTheirOwnAnswer() async throws {
        // A call's timeout runs while it waits its turn: 40 round trips in turn on a machine
        // busy with the other suites took over the default 3 s.
        let (session, wire) = makeSession(timeout: .seconds(40))
        let count = 40
        let peer = Task {
            for index in 0..<count {
                let call = try await wire.call(index)
                let request = try call.payload.decode(as: EchoRequest.self)
                await session.receive(bytes(#"[3,"\#(call.id)",{"text":"re-\#(request.text)"}]"#))
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<count {
                group.addTask {
                    let response = try await session.call(Echo.self, EchoRequest(text: "\(n)"))
                    #expect(response.text == "re-\(n)")
                }
            }
            try await group.waitForAll()
        }
        try await peer.value
        #expect(wire.count == count)
        #expect(session.pendingCallCount == 0)
    }
}
