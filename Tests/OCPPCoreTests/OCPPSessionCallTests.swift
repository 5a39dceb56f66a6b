import OCPPCore
import Testing

/// Outgoing calls: correlation, the one-outstanding-call rule, timeouts,
/// cancellation and close.
@Suite("OCPPSession outgoing calls", .timeLimit(.minutes(1)))
struct OCPPSessionCallTests {
    /// Answers CALL `call` with `{"text": text}`.
    func answer(_ session: OCPPSession<String>, _ call: OCPPCall, text: String) async {
        await session.receive(bytes(#"[3,"\#(call.id)",{"text":"\#(text)"}]"#))
    }

    @Test func answersReachTheirOwnCallers() async throws {
        let (session, wire) = makeSession()
        let a = Task { try await session.call(Echo.self, EchoRequest(text: "a")) }
        let b = Task { try await session.call(Echo.self, EchoRequest(text: "b")) }
        for index in 0..<2 {
            let call = try await wire.call(index)
            #expect(call.action == "Echo")
            let request = try call.payload.decode(as: EchoRequest.self)
            await answer(session, call, text: "re-" + request.text)
        }
        #expect(try await a.value.text == "re-a")
        #expect(try await b.value.text == "re-b")
        #expect(session.pendingCallCount == 0)
        let ids = try wire.sent.map { try OCPPMessage.parse($0).id }
        #expect(Set(ids).count == 2)
    }

    @Test func aSecondCallIsNotSentBeforeTheFirstIsAnswered() async throws {
        let (session, wire) = makeSession()
        let first = Task { try await session.call(Echo.self, EchoRequest(text: "1")) }
        let call1 = try await wire.call(0)
        let second = Task { try await session.call(Echo.self, EchoRequest(text: "2")) }
        #expect(try await eventually { session.pendingCallCount == 2 })
        let third = Task { try await session.call(Echo.self, EchoRequest(text: "3")) }
        #expect(try await eventually { session.pendingCallCount == 3 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(wire.count == 1)
        await answer(session, call1, text: "one")
        #expect(try await first.value.text == "one")
        // Queued calls go out first in, first out, each only once the one before is answered.
        let call2 = try await wire.call(1)
        #expect(try call2.payload.decode(as: EchoRequest.self).text == "2")
        try await Task.sleep(for: .milliseconds(50))
        #expect(wire.count == 2)
        await answer(session, call2, text: "two")
        let call3 = try await wire.call(2)
        #expect(try call3.payload.decode(as: EchoRequest.self).text == "3")
        await answer(session, call3, text: "three")
        #expect(try await second.value.text == "two")
        #expect(try await third.value.text == "three")
        #expect(Set([call1.id, call2.id, call3.id]).count == 3)
    }

    @Test func aTimedOutCallThrowsAndLetsTheNextOneGo() async throws {
        let (session, wire) = makeSession()
        let start = ContinuousClock.now
        let slow = Task { try await session.call(Echo.self, EchoRequest(text: "slow"), timeout: .milliseconds(150)) }
        _ = try await wire.call(0)
        let next = Task { try await session.call(Echo.self, EchoRequest(text: "next")) }
        let error = await #expect(throws: OCPPSessionError.self) { try await slow.value }
        #expect(error == .timeout(action: "Echo"))
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(150) && elapsed < .seconds(2))
        let call2 = try await wire.call(1)
        #expect(try call2.payload.decode(as: EchoRequest.self).text == "next")
        await answer(session, call2, text: "ok")
        #expect(try await next.value.text == "ok")
    }

    @Test func queueTimeCountsTowardsTheTimeout() async throws {
        let (session, wire) = makeSession()
        let blocker = Task { try await session.call(Echo.self, EchoRequest(text: "blocker")) }
        let call1 = try await wire.call(0)
        let queued = Task { try await session.call(Echo.self, EchoRequest(text: "q"), timeout: .milliseconds(100)) }
        await #expect(throws: OCPPSessionError.timeout(action: "Echo")) { try await queued.value }
        #expect(wire.count == 1)
        #expect(session.pendingCallCount == 1)
        await answer(session, call1, text: "done")
        #expect(try await blocker.value.text == "done")
        try await Task.sleep(for: .milliseconds(30))
        #expect(wire.count == 1, "the timed-out queued call must never be sent")
    }

    @Test func aLateAnswerToATimedOutCallIsDropped() async throws {
        let (session, wire) = makeSession()
        let slow = Task { try await session.call(Echo.self, EchoRequest(text: "slow"), timeout: .milliseconds(80)) }
        let call1 = try await wire.call(0)
        let next = Task { try await session.call(Echo.self, EchoRequest(text: "next")) }
        await #expect(throws: OCPPSessionError.self) { try await slow.value }
        let call2 = try await wire.call(1)
        await answer(session, call1, text: "late")
        await answer(session, call2, text: "right")
        #expect(try await next.value.text == "right")
        #expect(wire.count == 2, "answers are never answered")
    }

    @Test func duplicateAndStrayAnswersAreDropped() async throws {
        let (session, wire) = makeSession()
        await session.receive(bytes(#"[3,"nobody",{"text":"x"}]"#))
        await session.receive(bytes(#"[4,"nobody","InternalError","",{}]"#))
        let a = Task { try await session.call(Echo.self, EchoRequest(text: "a")) }
        let callA = try await wire.call(0)
        let b = Task { try await session.call(Echo.self, EchoRequest(text: "b")) }
        #expect(try await eventually { session.pendingCallCount == 2 })
        // The id generator is sequential: "m2" is b's, queued and unsent.
        await session.receive(bytes(#"[3,"m2",{"text":"too early"}]"#))
        #expect(session.pendingCallCount == 2)
        await answer(session, callA, text: "first")
        await answer(session, callA, text: "duplicate")
        await session.receive(bytes(#"[4,"\#(callA.id)","InternalError","dup",{}]"#))
        #expect(try await a.value.text == "first")
        let callB = try await wire.call(1)
        #expect(callB.id == "m2")
        #expect(session.pendingCallCount == 1, "a duplicate must not complete the next call")
        await answer(session, callB, text: "second")
        #expect(try await b.value.text == "second")
        #expect(wire.count == 2)
    }

    @Test func aCallErrorThrowsThePeersCode() async throws {
        let (session, wire) = makeSession()
        let task = Task { try await session.call(Echo.self, EchoRequest(text: "x")) }
        let call = try await wire.call(0)
        await session.receive(
            bytes(#"[4,"\#(call.id)","OccurenceConstraintViolation","text missing",{"field":"text"}]"#))
        let error = await #expect(throws: OCPPCallError.self) { try await task.value }
        #expect(error?.code == .occurrenceConstraintViolation)
        #expect(error?.wireCode == "OccurenceConstraintViolation")
        #expect(error?.errorDescription == "text missing")
        #expect(error?.details.text == #"{"field":"text"}"#)

        let untyped = Task { try await session.call(action: "Echo", payload: RawJSON(validating: #"{"text":"y"}"#)) }
        let call2 = try await wire.call(1)
        await session.receive(bytes(#"[4,"\#(call2.id)","NoSuchCode","?",{}]"#))
        let error2 = await #expect(throws: OCPPCallError.self) { try await untyped.value }
        #expect(error2?.code == .genericError)
        #expect(error2?.wireCode == "NoSuchCode")
    }

    @Test(arguments: [
        (#"{"text":5}"#, OCPPValidationError.Kind.type),
        (#"{}"#, .occurrence),
        (#"{"text":"x","extra":1}"#, .unexpectedProperty),
        (#"[]"#, .type),
    ])
    func aResponseThatBreaksTheSchemaIsInvalid(payload: String, kind: OCPPValidationError.Kind) async throws {
        let (session, wire) = makeSession()
        let typed = Task { try await session.call(Echo.self, EchoRequest(text: "x")) }
        let call1 = try await wire.call(0)
        await session.receive(bytes(#"[3,"\#(call1.id)",\#(payload)]"#))
        let error = await #expect(throws: OCPPSessionError.self) { try await typed.value }
        guard case .invalidResponse(let validation) = error else {
            Issue.record("expected invalidResponse, got \(String(describing: error))")
            return
        }
        #expect(validation.kind == kind)

        let untyped = Task { try await session.call(action: "Echo", payload: RawJSON(validating: #"{"text":"y"}"#)) }
        let call2 = try await wire.call(1)
        await session.receive(bytes(#"[3,"\#(call2.id)",\#(payload)]"#))
        let error2 = await #expect(throws: OCPPSessionError.self) { try await untyped.value }
        #expect(error2 == .invalidResponse(validation))
    }

    @Test func aBrokenAnswerFrameFailsTheOutstandingCallWithoutReply() async throws {
        let (session, wire) = makeSession()
        let task = Task { try await session.call(Echo.self, EchoRequest(text: "x")) }
        let call = try await wire.call(0)
        await session.receive(bytes(#"[3,"other",{"text":]"#))
        #expect(session.pendingCallCount == 1, "a broken answer to another id changes nothing")
        await session.receive(bytes(#"[3,"\#(call.id)",{"text":]"#))
        let error = await #expect(throws: OCPPSessionError.self) { try await task.value }
        guard case .invalidResponse(let validation) = error else {
            Issue.record("expected invalidResponse, got \(String(describing: error))")
            return
        }
        #expect(validation.kind == .syntax)
        #expect(wire.count == 1, "a CALLRESULT or CALLERROR is never answered")
    }

    @Test func untypedCallsPassThePayloadAsReceived() async throws {
        let (session, wire) = makeSession()
        let task = Task {
            try await session.call(action: "Echo", payload: RawJSON(validating: #"{"count":2,"text":"raw"}"#))
        }
        let call = try await wire.call(0)
        #expect(text(try await wire.frame(0)) == #"[2,"m1","Echo",{"count":2,"text":"raw"}]"#)
        #expect(call.payload.text == #"{"count":2,"text":"raw"}"#)
        await session.receive(bytes(#"[3,"m1", {"text" : "as is"} ]"#))
        #expect(try await task.value.text == #"{"text" : "as is"}"#)
    }

    @Test func untypedCallsAreValidatedBeforeSending() async throws {
        let (session, wire) = makeSession()
        let error = await #expect(throws: OCPPValidationError.self) {
            try await session.call(action: "Echo", payload: RawJSON(validating: #"{"text":1}"#))
        }
        #expect(error?.code == .typeConstraintViolation)
        await #expect(throws: OCPPValidationError.self) {
            try await session.call(action: "Echo", payload: RawJSON(validating: #"{"text":"x","count":-1}"#))
        }
        await #expect(throws: OCPPSessionError.unknownAction("Nope")) {
            try await session.call(action: "Nope", payload: .emptyObject)
        }
        let bare = OCPPSession(
            router: OCPPRouter<String>(OCPPProtocolDefinition(version: .v16, actions: [])), context: "",
            logger: silentLogger, send: wire.send)
        await #expect(throws: OCPPSessionError.unknownAction("Echo")) {
            try await bare.call(Echo.self, EchoRequest(text: "x"))
        }
        #expect(wire.count == 0)
        #expect(session.pendingCallCount == 0)
    }
}
