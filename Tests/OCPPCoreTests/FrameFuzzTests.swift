import OCPPCore
import Testing

/// Random and mutated frames fed to the parser and to a live session.
@Suite("OCPP-J frame fuzzing", .timeLimit(.minutes(1)))
struct FrameFuzzTests {
    static let seeds: [String] = [
        #"[2,"c1","Echo",{"text":"hello","count":3}]"#,
        #"[2,"c2","Fail",{"text":"call-error"}]"#,
        #"[2,"c3","Teleport",{"a":[1,2.5e3,{"b":null}],"c":"\u00e9\n"}]"#,
        #"[3,"{id}",{"text":"answer"}]"#,
        #"[3,"{id}",{"text":"answer"}]"#,
        #"[4,"{id}","GenericError","desc",{"k":[true,false]}]"#,
        #" [ 2 , "c4" , "Unserved" , { "text" : "x" } ] "#,
    ]
    static let specials = Array(#"[]{}",:\"#.utf8)

    static func mutate(_ seed: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var frame = seed
        for _ in 0...Int.random(in: 0...3, using: &random) {
            let position = frame.isEmpty ? 0 : Int.random(in: 0..<frame.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0 where !frame.isEmpty:
                frame[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
            case 1:
                frame = Array(frame.prefix(position))
            case 2:
                frame.insert(specials.randomElement(using: &random)!, at: position)
            case 3:
                frame.insert(UInt8.random(in: 0...255, using: &random), at: position)
            case 4 where !frame.isEmpty:
                frame.remove(at: position)
            case 5:
                // Invalid UTF-8 and lone continuation bytes.
                let junk: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80]]
                frame.insert(contentsOf: junk.randomElement(using: &random)!, at: position)
            case 6:
                let depth = Int.random(in: 1...3_000, using: &random)
                let open = UInt8(ascii: Bool.random(using: &random) ? "[" : "{")
                frame.insert(contentsOf: [UInt8](repeating: open, count: depth), at: position)
            default:
                let snippets = [
                    #"\u"#, #"\ud800"#, "\"", "-", "1e999", "0.", "\u{0}", "null", ",,", #""m1""#, "2", "3", "4",
                ]
                frame.insert(contentsOf: Array(snippets.randomElement(using: &random)!.utf8), at: position)
            }
        }
        return frame
    }

    static func randomFrame(_ random: inout SplitMix64) -> [UInt8] {
        let alphabet = Array(#"[]{}",:\ 0123456789-.eEtrufalsn"#.utf8)
        return (0..<Int.random(in: 0...40, using: &random)).map { _ in
            Int.random(in: 0..<4, using: &random) == 0
                ? UInt8.random(in: 0...255, using: &random) : alphabet.randomElement(using: &random)!
        }
    }

    /// Starts a call and waits until its CALL is on the wire.
    func startCall(_ session: OCPPSession<String>, _ wire: TestWire, id: String) async throws
        -> Task<EchoResponse, any Error>
    {
        let task = Task { try await session.call(Echo.self, EchoRequest(text: "fuzz")) }
        let sent = try await eventually {
            guard let last = wire.last, case .call(let call)? = try? OCPPMessage.parse(last) else { return false }
            return call.id == id
        }
        try #require(sent, "the call \(id) was not sent")
        return task
    }

    @Test func randomAndMutatedFramesNeverBreakTheSession() async throws {
        var random = SplitMix64(seed: 0x0CC9_2026)
        let (session, wire) = makeSession(version: .v16, timeout: .seconds(30))
        // Always one outstanding call, so that mutated answers reach the completion path.
        var calls = 1
        var pending = try await startCall(session, wire, id: "m1")
        var outcomes: [Result<EchoResponse, any Error>] = []
        var parsed = 0
        for n in 0..<20_000 {
            let seed = Array(Self.seeds.randomElement(using: &random)!.replacing("{id}", with: "m\(calls)").utf8)
            let frame = n % 5 == 0 ? Self.randomFrame(&random) : Self.mutate(seed, &random)
            if (try? OCPPMessage.parse(frame)) != nil { parsed += 1 }
            await session.receive(frame)
            if session.pendingCallCount == 0 {
                outcomes.append(await pending.result)
                calls += 1
                pending = try await startCall(session, wire, id: "m\(calls)")
            }
        }
        // Every frame sent is one of our calls or a valid answer frame.
        var replies = 0
        for frame in wire.sent {
            switch try OCPPMessage.parse(frame) {
            case .call(let call): #expect(call.id.hasPrefix("m") && call.action == "Echo", "\(text(frame))")
            case .callResult, .callError: replies += 1
            }
        }
        #expect(replies > 1_000, "too few frames reached the reply path")
        #expect(parsed > 500, "too few mutated frames stayed valid to reach the router")
        #expect(outcomes.count > 100, "too few answers completed a call")
        for outcome in outcomes {
            guard case .failure(let error) = outcome else { continue }
            switch error {
            case is OCPPCallError: break
            case OCPPSessionError.invalidResponse: break
            default: Issue.record("unexpected failure of a call: \(error)")
            }
        }

        // The session still works.
        await session.receive(bytes(#"[2,"after","Echo",{"text":"ok"}]"#))
        #expect(text(wire.last!) == #"[3,"after",{"text":"ctx:ok"}]"#)
        session.close()
        await #expect(throws: OCPPSessionError.closed) { try await pending.value }
        #expect(session.pendingCallCount == 0)
    }

    @Test func deeplyNestedFramesAreRejected() async throws {
        let (session, wire) = makeSession(version: .v201)
        for depth in [100, 1_000, 100_000] {
            for open in ["[", "{\"a\":"] {
                let frame = bytes(String(repeating: open, count: depth))
                #expect(throws: OCPPFrameError.self) { try OCPPMessage.parse(frame) }
                await session.receive(frame)
                let nested = bytes(#"[2,"deep","Echo",{"text":"#) + frame
                #expect(throws: OCPPFrameError.self) { try OCPPMessage.parse(nested) }
                await session.receive(nested)
            }
        }
        #expect(wire.count == 12)
        for reply in wire.sent {
            guard case .callError(let error) = try OCPPMessage.parse(reply) else {
                Issue.record("not a CALLERROR: \(text(reply))")
                continue
            }
            #expect(["-1", "deep"].contains(error.id))
        }
    }
}
