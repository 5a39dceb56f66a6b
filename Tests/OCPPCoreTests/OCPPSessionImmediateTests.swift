import OCPPCore
import Testing

/// `receiveImmediately`: what a transport may serve on its own thread, and
/// what it must leave to `receive(_:)`.
@Suite("OCPPSession frames served without waiting", .timeLimit(.minutes(1)))
struct OCPPSessionImmediateTests {
    func parsed(_ frame: String) -> Result<OCPPMessage, OCPPFrameError> {
        OCPPMessage.parsedDeferringPayload(bytes(frame))
    }

    /// The answer `receiveImmediately` hands back for `frame`, failing when it has none.
    func answer(to frame: String, on session: OCPPSession<String>) throws -> OCPPMessage {
        guard case .handled(let answer?) = session.receiveImmediately(parsed(frame)) else {
            Issue.record("\(frame) was not answered at once")
            throw CancellationError()
        }
        return try OCPPMessage.parse(answer)
    }

    func callError(to frame: String, on session: OCPPSession<String>) throws -> OCPPCallErrorMessage {
        let message = try answer(to: frame, on: session)
        guard case .callError(let error) = message else {
            Issue.record("expected a CALLERROR, got \(message)")
            throw CancellationError()
        }
        return error
    }

    @Test func theRouterNamesTheActionsItHandlesSorted() {
        let router = TestProtocol.router(.v16)
        #expect(router.actions == ["Echo", "Fail", "Instant"])
        #expect(router.actions.allSatisfy(router.handles))
    }

    @Test func anImmediateHandlersAnswerIsReturnedForTheCallerToSend() throws {
        let (session, wire) = makeSession()
        let message = try answer(to: #"[2,"i1","Instant",{"text":"hi"}]"#, on: session)
        guard case .callResult(let result) = message else { Issue.record("not a CALLRESULT: \(message)"); return }
        #expect(result.id == "i1")
        #expect(try result.payload.decode(as: EchoResponse.self).text == "ctx:hi")
        #expect(wire.count == 0)
    }

    @Test func aCallWhoseHandlerWaitsIsLeftForReceive() async throws {
        let (session, wire) = makeSession()
        guard case .waits(let message) = session.receiveImmediately(parsed(#"[2,"e1","Echo",{"text":"hi"}]"#)) else {
            Issue.record("Echo's handler waits, but the call was handled at once")
            return
        }
        #expect(message.id == "e1")
        #expect(wire.count == 0)
        await session.receive(message)
        #expect(wire.sent.map(text) == [#"[3,"e1",{"text":"ctx:hi"}]"#])
    }

    @Test func refusedActionsAreAnsweredAtOnce() throws {
        let (session, _) = makeSession()
        #expect(try callError(to: #"[2,"t1","Teleport",{}]"#, on: session).code == "NotImplemented")
        #expect(try callError(to: #"[2,"u1","Unserved",{"text":"x"}]"#, on: session).code == "NotSupported")
    }

    @Test func anImmediateHandlersErrorsKeepTheirCodesAndSecrets() throws {
        let (session, _) = makeSession()
        let refused = try callError(to: #"[2,"i1","Instant",{"text":"call-error"}]"#, on: session)
        #expect(refused.code == "SecurityError")
        #expect(refused.description == "not allowed")
        let failed = try callError(to: #"[2,"i2","Instant",{"text":"boom"}]"#, on: session)
        #expect(failed.code == "InternalError")
        #expect(!failed.description.contains("secret"))
        let invalid = try callError(to: #"[2,"i3","Instant",{"text":5}]"#, on: session)
        #expect(invalid.code == "TypeConstraintViolation")
    }

    @Test func aFrameThatIsNotOCPPJIsAnsweredAtOnce() throws {
        let (session, _) = makeSession()
        let error = try callError(to: #"[2,"b1","Instant"]"#, on: session)
        #expect(error.id == "b1")
        #expect(error.code == "FormationViolation")
    }

    @Test func anAnswerCompletesTheOutstandingCallWithNothingToSend() async throws {
        let (session, wire) = makeSession()
        let pending = Task { try await session.call(Echo.self, EchoRequest(text: "q")) }
        let call = try await wire.call(0)
        guard case .handled(nil) = session.receiveImmediately(parsed(#"[3,"\#(call.id)",{"text":"a"}]"#)) else {
            Issue.record("an answer was not handled at once, or was answered")
            return
        }
        #expect(try await pending.value.text == "a")
        #expect(session.pendingCallCount == 0)
        #expect(wire.count == 1)
    }

    @Test func aClosedSessionAnswersNothing() throws {
        let (session, _) = makeSession()
        session.close()
        guard case .handled(nil) = session.receiveImmediately(parsed(#"[2,"i1","Instant",{"text":"hi"}]"#)) else {
            Issue.record("a closed session answered a call")
            return
        }
    }

    @Test func receiveSendsAnImmediateHandlersAnswerItself() async throws {
        let (session, wire) = makeSession()
        await session.receive(bytes(#"[2,"i1","Instant",{"text":"hi"}]"#))
        #expect(wire.sent.map(text) == [#"[3,"i1",{"text":"ctx:hi"}]"#])
    }
}
