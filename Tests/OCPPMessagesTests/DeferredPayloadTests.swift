import Logging
import OCPP16
import OCPPCore
import Testing

/// `parseDeferringPayload` reads a CALL once; it must answer exactly as the
/// full parse does wherever the frame is well formed, and answer a broken
/// frame with a CALLERROR of the same message id.
@Suite struct DeferredPayloadTests {
    static let router: OCPPRouter<Void> = {
        var router = OCPPRouter<Void>.ocpp16()
        router.on(OCPP16.MeterValues.self) { _, _ in OCPP16.MeterValuesResponse() }
        router.on(OCPP16.Authorize.self) { request, _ in
            OCPP16.AuthorizeResponse(idTagInfo: .init(status: request.idTag == "GOOD" ? .accepted : .invalid))
        }
        return router
    }()

    func answer(_ frame: [UInt8], deferred: Bool) async -> [UInt8] {
        let logger = Logger(label: "test")
        do {
            let message = try deferred ? OCPPMessage.parseDeferringPayload(frame) : OCPPMessage.parse(frame)
            guard case .call(let call) = message else { return [] }
            return await Self.router.respond(to: call, context: (), logger: logger)
        } catch {
            return OCPPRouter<Void>.frameErrorReply(error, version: .v16)
        }
    }

    @Test func sameAnswersForEveryValidSample() async throws {
        var compared = 0
        for sample in try Sample.load("1.6") where sample.isRequest && ["MeterValues", "Authorize", "Heartbeat"].contains(sample.action) {
            let frame = Array(#"[2,"m1","\#(sample.action)","#.utf8) + sample.payload + Array("]".utf8)
            let full = await answer(frame, deferred: false)
            let deferred = await answer(frame, deferred: true)
            #expect(full == deferred, "\(sample)")
            compared += 1
        }
        #expect(compared > 20)
    }

    @Test(arguments: [
        #"[2,"m2","Authorize",{"idTag":"GOOD"},5]"#,
        #"[2,"m2","Authorize",{"idTag":"GOOD"}"#,
        #"[2,"m2","Authorize",{"idTag":"GOOD"}] x"#,
        #"[2,"m2","Authorize",{"idTag":"GOOD"]"#,
        #"[2,"m2","Teleport",{"a":1},{}]"#,
        #"[2,"m2","Heartbeat",{}}"#,
    ])
    func brokenFramesGetACallErrorWithTheirId(frame: String) async throws {
        for deferred in [false, true] {
            let reply = try OCPPMessage.parse(await answer(Array(frame.utf8), deferred: deferred))
            guard case .callError(let error) = reply else {
                Issue.record("\(frame) (deferred: \(deferred)) was answered \(reply)")
                continue
            }
            #expect(error.id == "m2")
            #expect(error.code == "FormationViolation", "\(frame) (deferred: \(deferred)) → \(error.code)")
        }
    }

    @Test func validFrameIsAnsweredAfterDeferredParse() async throws {
        let reply = try OCPPMessage.parse(await answer(Array(#"[2,"m3","Authorize",{"idTag":"GOOD"}]"#.utf8), deferred: true))
        guard case .callResult(let result) = reply else {
            Issue.record("not a CALLRESULT: \(reply)")
            return
        }
        #expect(result.id == "m3")
        #expect(try result.payload.decode(as: OCPP16.AuthorizeResponse.self).idTagInfo.status == .accepted)
    }
}
