import OCPPCore
import Testing

@Suite("OCPP-J framing")
struct OCPPFramingTests {
    @Test func aCallKeepsItsPayloadBytesExactly() throws {
        let payload = #"{"a":[[1,[2,[]]],{"b":[{"c":null}]}],"d":"]}\"["}"#
        let message = try OCPPMessage.parse(#"[2,"42","DataTransfer",\#(payload)]"#)
        #expect(message == .call(OCPPCall(id: "42", action: "DataTransfer", payload: RawJSON(bytes(payload)))))
        #expect(message.id == "42")
        #expect(text(message.serialized()) == #"[2,"42","DataTransfer",\#(payload)]"#)
    }

    @Test func whitespaceAroundElementsIsAllowedAndNotKept() throws {
        let message = try OCPPMessage.parse(" \n[ 2 ,\t\"id\" , \"Echo\" ,\r\n { \"text\" : \"x\" } \n] \n")
        guard case .call(let call) = message else {
            Issue.record("not a call: \(message)")
            return
        }
        #expect(call.id == "id")
        #expect(call.action == "Echo")
        #expect(call.payload.text == #"{ "text" : "x" }"#)
        #expect(try call.payload.decode(as: EchoRequest.self) == EchoRequest(text: "x"))
        #expect(text(message.serialized()) == #"[2,"id","Echo",{ "text" : "x" }]"#)
    }

    @Test func callResultsAndCallErrorsParse() throws {
        #expect(
            try OCPPMessage.parse(#"[3, "r1", {"status":"Accepted","list":[1,2]}]"#)
                == .callResult(
                    OCPPCallResult(id: "r1", payload: RawJSON(bytes(#"{"status":"Accepted","list":[1,2]}"#)))))
        #expect(
            try OCPPMessage.parse(#"[3,"r2",[]]"#)
                == .callResult(OCPPCallResult(id: "r2", payload: RawJSON(bytes("[]")))))
        let error = try OCPPMessage.parse(#"[4,"e1","NotSupported","No \"handler\"",{"why":["x"]}]"#)
        #expect(
            error
                == .callError(
                    OCPPCallErrorMessage(
                        id: "e1", code: "NotSupported", description: "No \"handler\"",
                        details: RawJSON(bytes(#"{"why":["x"]}"#)))))
        #expect(text(error.serialized()) == #"[4,"e1","NotSupported","No \"handler\"",{"why":["x"]}]"#)
    }

    @Test func escapedIdsAndActionsAreDecoded() throws {
        let message = try OCPPMessage.parse(#"[2,"a\"b\u0063","Ec\u0068o",{}]"#)
        guard case .call(let call) = message else {
            Issue.record("not a call")
            return
        }
        #expect(call.id == "a\"bc")
        #expect(call.action == "Echo")
        #expect(try OCPPMessage.parse(message.serialized()) == message)
    }

    @Test func messageIdsUpToThirtySixCharactersAreAccepted() throws {
        let id36 = String(repeating: "é", count: 36)
        #expect(try OCPPMessage.parse(#"[3,"\#(id36)",{}]"#).id == id36)
        let error = #expect(throws: OCPPFrameError.self) {
            try OCPPMessage.parse(#"[3,"\#(id36)x",{}]"#)
        }
        #expect(error?.replyId == "-1", "an id too long to be valid is not sent back")
        #expect(error?.messageTypeId == 3)
    }

    @Test func frameErrorsCarryWhatCouldBeRead() {
        let unsupported = #expect(throws: OCPPFrameError.self) { try OCPPMessage.parse(#"[6,"x",{}]"#) }
        #expect(unsupported?.code == .messageTypeNotSupported)
        #expect(unsupported?.replyId == "x")
        #expect(unsupported?.messageTypeId == 6)
        let noId = #expect(throws: OCPPFrameError.self) { try OCPPMessage.parse(#"[2]"#) }
        #expect(noId?.code == .rpcFrameworkError)
        #expect(noId?.replyId == "-1")
        #expect(noId?.messageTypeId == 2)
        let badPayload = #expect(throws: OCPPFrameError.self) { try OCPPMessage.parse(#"[2,"p","A",{"x":}]"#) }
        #expect(badPayload?.code == .formatViolation)
        #expect(badPayload?.replyId == "p")
    }

    @Test func theWriterBuildsEachFrameType() throws {
        #expect(
            text(OCPPFrameWriter.call(id: "1", action: "Echo", payload: EchoRequest(text: "hi", count: 3)))
                == #"[2,"1","Echo",{"text":"hi","count":3}]"#)
        #expect(
            text(OCPPFrameWriter.callResult(id: "1", payload: EchoResponse(text: "a\"b")))
                == #"[3,"1",{"text":"a\"b"}]"#)
        let error = OCPPFrameWriter.callError(
            id: "1", code: .occurrenceConstraintViolation, description: "missing", version: .v16)
        #expect(text(error) == #"[4,"1","OccurenceConstraintViolation","missing",{}]"#)
        let long = OCPPFrameWriter.callError(
            id: "1", code: .internalError, description: String(repeating: "d", count: 1_000), version: .v201)
        guard case .callError(let parsed) = try OCPPMessage.parse(long) else {
            Issue.record("not a CALLERROR")
            return
        }
        #expect(parsed.description.count == OCPPFrameWriter.maxErrorDescriptionLength)
    }

    @Test(arguments: OCPPErrorCode.allCases)
    func errorCodesAreSpelledPerVersion(code: OCPPErrorCode) {
        let expected16: String =
            switch code {
            case .occurrenceConstraintViolation: "OccurenceConstraintViolation"
            case .formatViolation, .rpcFrameworkError, .messageTypeNotSupported: "FormationViolation"
            default: code.rawValue
            }
        #expect(code.wireName(for: .v16) == expected16)
        #expect(code.wireName(for: .v201) == code.rawValue)
        #expect(OCPPErrorCode(wireName: code.wireName(for: .v201)) == code)
    }

    @Test func bothSpellingsAreUnderstood() {
        #expect(OCPPErrorCode(wireName: "OccurenceConstraintViolation") == .occurrenceConstraintViolation)
        #expect(OCPPErrorCode(wireName: "OccurrenceConstraintViolation") == .occurrenceConstraintViolation)
        #expect(OCPPErrorCode(wireName: "FormationViolation") == .formatViolation)
        #expect(OCPPErrorCode(wireName: "FormatViolation") == .formatViolation)
        #expect(OCPPErrorCode(wireName: "Whatever") == nil)
        let received = OCPPCallError(received: OCPPCallErrorMessage(id: "1", code: "Whatever", description: "d"))
        #expect(received.code == .genericError)
        #expect(received.description == "Whatever: d")
    }

    @Test func validationErrorsMapToCodes() {
        #expect(OCPPValidationError(.syntax, "").code == .formatViolation)
        #expect(OCPPValidationError(.type, "").code == .typeConstraintViolation)
        #expect(OCPPValidationError(.occurrence, "").code == .occurrenceConstraintViolation)
        #expect(OCPPValidationError(.property, "").code == .propertyConstraintViolation)
        #expect(OCPPValidationError.unexpectedProperty("x").code == .formatViolation)
        #expect(OCPPValidationError.missingProperty("x").code == .occurrenceConstraintViolation)
    }
}
