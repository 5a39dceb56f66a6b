import OCPPCore
import Testing

/// Incoming frames: CALLs dispatched through the router, bad frames answered.
@Suite("OCPPSession incoming frames", .timeLimit(.minutes(1)))
struct OCPPSessionReceiveTests {
    /// The one frame the session sends back for `frame`, sent before `receive` returns.
    func reply(to frame: String, version: OCPPVersion = .v16) async throws -> OCPPMessage {
        let (session, wire) = makeSession(version: version)
        await session.receive(bytes(frame))
        try #require(wire.count == 1, "expected one reply to \(frame), got \(wire.sent.map(text))")
        return try OCPPMessage.parse(wire.sent[0])
    }

    func callError(to frame: String, version: OCPPVersion = .v16) async throws -> OCPPCallErrorMessage {
        let message = try await reply(to: frame, version: version)
        guard case .callError(let error) = message else {
            Issue.record("expected a CALLERROR, got \(message)")
            throw CancellationError()
        }
        return error
    }

    @Test func aCallIsAnsweredByItsHandlerWithTheContext() async throws {
        let (session, wire) = makeSession()
        await session.receive(bytes(#"[2,"c1","Echo",{"text":"hi"}]"#))
        #expect(wire.sent.map(text) == [#"[3,"c1",{"text":"ctx:hi"}]"#])
    }

    @Test func callsAreAnsweredInOrder() async throws {
        let (session, wire) = makeSession()
        for n in 0..<20 { await session.receive(bytes(#"[2,"c\#(n)","Echo",{"text":"\#(n)"}]"#)) }
        let ids = try wire.sent.map { try OCPPMessage.parse($0).id }
        #expect(ids == (0..<20).map { "c\($0)" })
    }

    @Test func anUnknownActionIsNotImplemented() async throws {
        let error = try await callError(to: #"[2,"c1","Teleport",{}]"#)
        #expect(error.id == "c1")
        #expect(error.code == "NotImplemented")
    }

    @Test func aKnownActionWithoutHandlerIsNotSupported() async throws {
        let error = try await callError(to: #"[2,"c1","Unserved",{"text":"x"}]"#)
        #expect(error.code == "NotSupported")
    }

    @Test func aHandlersCallErrorKeepsItsCode() async throws {
        let error = try await callError(to: #"[2,"c1","Fail",{"text":"call-error"}]"#)
        #expect(error.code == "SecurityError")
        #expect(error.description == "not allowed")
    }

    @Test func anyOtherHandlerErrorIsAnOpaqueInternalError() async throws {
        let error = try await callError(to: #"[2,"c1","Fail",{"text":"boom"}]"#)
        #expect(error.code == "InternalError")
        #expect(!error.description.contains("secret"))
        #expect(!error.details.text.contains("secret"))
    }

    @Test(arguments: [
        // payload, 1.6 code, 2.0.1 code
        (#"{}"#, "OccurenceConstraintViolation", "OccurrenceConstraintViolation"),
        (#"{"count":1}"#, "OccurenceConstraintViolation", "OccurrenceConstraintViolation"),
        (#"{"text":5}"#, "TypeConstraintViolation", "TypeConstraintViolation"),
        (#"{"text":"x","count":1.5}"#, "TypeConstraintViolation", "TypeConstraintViolation"),
        (#"{"text":"x","count":"1"}"#, "TypeConstraintViolation", "TypeConstraintViolation"),
        (#"[]"#, "TypeConstraintViolation", "TypeConstraintViolation"),
        (#"{"text":"x","extra":true}"#, "FormationViolation", "FormatViolation"),
        (#"{"text":"this text is longer than twenty"}"#, "PropertyConstraintViolation", "PropertyConstraintViolation"),
        (#"{"text":"x","count":-1}"#, "PropertyConstraintViolation", "PropertyConstraintViolation"),
        (#"{"text":"\q"}"#, "FormationViolation", "FormatViolation"),
    ])
    func anInvalidPayloadIsAnsweredWithItsViolation(payload: String, code16: String, code201: String) async throws {
        let frame = #"[2,"c1","Echo",\#(payload)]"#
        let error16 = try await callError(to: frame, version: .v16)
        #expect(error16.id == "c1")
        #expect(error16.code == code16)
        let error201 = try await callError(to: frame, version: .v201)
        #expect(error201.code == code201)
    }

    static let longId = String(repeating: "x", count: 37)

    /// Frames that are not OCPP-J: the id the answer must carry and its code per version.
    static let badFrames: [(frame: String, id: String, code16: String, code201: String)] = [
        ("not json", "-1", "FormationViolation", "RpcFrameworkError"),
        ("", "-1", "FormationViolation", "RpcFrameworkError"),
        (#"{"a":1}"#, "-1", "FormationViolation", "RpcFrameworkError"),
        (#""text""#, "-1", "FormationViolation", "RpcFrameworkError"),
        ("[]", "-1", "FormationViolation", "RpcFrameworkError"),
        ("[2]", "-1", "FormationViolation", "RpcFrameworkError"),
        (#"[2,"id"]"#, "id", "FormationViolation", "RpcFrameworkError"),
        (#"[5,"id"]"#, "id", "FormationViolation", "MessageTypeNotSupported"),
        (#"[2,123,"Echo",{}]"#, "-1", "FormationViolation", "RpcFrameworkError"),
        (#"[2.0,"id","Echo",{}]"#, "-1", "FormationViolation", "RpcFrameworkError"),
        (#"["2","id","Echo",{}]"#, "-1", "FormationViolation", "RpcFrameworkError"),
        (#"[2,"\#(longId)","Echo",{}]"#, "-1", "FormationViolation", "RpcFrameworkError"),
        (#"[2,"id",7,{}]"#, "id", "FormationViolation", "RpcFrameworkError"),
        (#"[2,"id","Echo",{"text":"x"}] x"#, "id", "FormationViolation", "RpcFrameworkError"),
        (#"[2,"id","Echo",{"text":"x"}]]"#, "id", "FormationViolation", "RpcFrameworkError"),
        (#"[2,"id","Echo",{"text":"x"},{}]"#, "id", "FormationViolation", "RpcFrameworkError"),
        (#"[2,"id","Echo",{"text":"x"}"#, "id", "FormationViolation", "RpcFrameworkError"),
        (#"[2,"id","Echo"]"#, "id", "FormationViolation", "RpcFrameworkError"),
        (#"[2,"id","Echo",{"text":}]"#, "id", "FormationViolation", "FormatViolation"),
        (#"[2,"id","Teleport",{"a":"\q"}]"#, "id", "FormationViolation", "FormatViolation"),
    ]

    @Test(arguments: [OCPPVersion.v16, .v201])
    func badFramesAreAnsweredAndTheSessionGoesOn(version: OCPPVersion) async throws {
        let (session, wire) = makeSession(version: version)
        for (index, bad) in Self.badFrames.enumerated() {
            await session.receive(bytes(bad.frame))
            try #require(wire.count == 2 * index + 1, "no single reply to \(bad.frame)")
            let message = try OCPPMessage.parse(wire.sent[2 * index])
            guard case .callError(let error) = message else {
                Issue.record("\(bad.frame) was answered with \(message)")
                continue
            }
            #expect(error.id == bad.id, "\(bad.frame)")
            #expect(error.code == (version == .v16 ? bad.code16 : bad.code201), "\(bad.frame)")
            #expect(error.details.text == "{}")

            await session.receive(bytes(#"[2,"ok\#(index)","Echo",{"text":"x"}]"#))
            try #require(wire.count == 2 * index + 2)
            #expect(text(wire.sent[2 * index + 1]) == #"[3,"ok\#(index)",{"text":"ctx:x"}]"#)
        }
    }

    @Test(arguments: [
        #"[3,"id"]"#, #"[3,"id",{}"#, #"[3,"id",{},1]"#, #"[4,"id",5,"",{}]"#, #"[4,"id","GenericError"]"#,
        #"[4,"id","GenericError","",{}] trailing"#,
    ])
    func brokenAnswersToNoCallAreDroppedSilently(frame: String) async throws {
        let (session, wire) = makeSession()
        await session.receive(bytes(frame))
        #expect(wire.count == 0)
        await session.receive(bytes(#"[2,"ok","Echo",{"text":"x"}]"#))
        #expect(wire.count == 1)
    }
}
