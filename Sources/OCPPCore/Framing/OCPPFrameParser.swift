extension OCPPMessage {
    /// The longest message id OCPP-J allows (2.0.1 §4.1.2; 1.6 §4.1.3 says the same).
    public static let maxMessageIdLength = 36

    /// Parses one frame. Every failure is an `OCPPFrameError`, never a trap.
    public static func parse(_ bytes: [UInt8]) throws(OCPPFrameError) -> OCPPMessage {
        try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(OCPPFrameError) -> OCPPMessage in
            try parse(&reader, bytes, deferringPayload: false)
        }
    }

    /// Parses one frame, but leaves a CALL's payload and the end of the frame
    /// to be checked as the payload is decoded (`OCPPCall.decodePayload(as:)`),
    /// so that a call is read once, not twice. Other frames are parsed whole.
    public static func parseDeferringPayload(_ bytes: [UInt8]) throws(OCPPFrameError) -> OCPPMessage {
        try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(OCPPFrameError) -> OCPPMessage in
            try parse(&reader, bytes, deferringPayload: true)
        }
    }

    /// `parseDeferringPayload` with its failure as a value, for a caller that
    /// hands the outcome on (`OCPPSession.receiveImmediately`).
    public static func parsedDeferringPayload(_ bytes: [UInt8]) -> Result<OCPPMessage, OCPPFrameError> {
        Result { () throws(OCPPFrameError) in try parseDeferringPayload(bytes) }
    }

    /// Parses one frame from text.
    public static func parse(_ text: String) throws(OCPPFrameError) -> OCPPMessage {
        try parse(Array(text.utf8))
    }

    private static func parse(_ reader: inout JSONReader, _ bytes: [UInt8], deferringPayload: Bool)
        throws(OCPPFrameError) -> OCPPMessage
    {
        var id: String?
        var typeId: Int?
        func fail(_ reason: String, code: OCPPErrorCode = .rpcFrameworkError) -> OCPPFrameError {
            OCPPFrameError(code, reason, messageId: id, messageTypeId: typeId)
        }
        func element(_ name: String) throws(OCPPFrameError) {
            let more: Bool
            do { more = try reader.nextElement() } catch { throw fail("\(error.reason)") }
            guard more else { throw fail("the frame ends before its \(name)") }
        }
        func raw() throws(OCPPFrameError) -> RawJSON {
            let start = reader.offset
            do { try reader.skipValue() } catch { throw fail(error.reason, code: .formatViolation) }
            let text = bytes[start..<reader.offset]
            // Drop leading whitespace so that the payload is exactly the value.
            let trimmed = text.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            return RawJSON(trimmed)
        }
        func string(_ name: String) throws(OCPPFrameError) -> String {
            guard reader.peekKind() == .string else { throw fail("the \(name) is not a string") }
            do { return try reader.readString() } catch { throw fail(error.reason) }
        }
        func end(_ count: Int) throws(OCPPFrameError) {
            let more: Bool
            do { more = try reader.nextElement() } catch { throw fail(error.reason) }
            if more { throw fail("a frame of this type has exactly \(count) elements") }
            do { try reader.expectEnd() } catch { throw fail(error.reason) }
        }

        switch reader.peekKind() {
        case .array: break
        case .invalid, .end: throw fail("the frame is not JSON")
        default:
            // Make sure a non-array frame is at least JSON before saying so.
            throw fail("the frame is not a JSON array")
        }
        do { try reader.beginArray() } catch { throw fail(error.reason) }
        try element("message type id")
        guard reader.peekKind() == .number else { throw fail("the message type id is not a number") }
        do { typeId = try reader.readInt() } catch { throw fail("the message type id is not an integer") }
        try element("message id")
        id = try string("message id")
        if let messageId = id, messageId.utf8.count > maxMessageIdLength,
            messageId.unicodeScalars.count > maxMessageIdLength
        {
            throw fail("the message id is longer than \(maxMessageIdLength) characters")
        }
        switch typeId {
        case 2:
            try element("action")
            let action = try string("action")
            try element("payload")
            if deferringPayload {
                _ = reader.peekKind()
                let payload = RawJSON(bytes[reader.offset...])
                return .call(OCPPCall(id: id!, action: action, payload: payload, payloadRunsToFrameEnd: true))
            }
            let payload = try raw()
            try end(4)
            return .call(OCPPCall(id: id!, action: action, payload: payload))
        case 3:
            try element("payload")
            let payload = try raw()
            try end(3)
            return .callResult(OCPPCallResult(id: id!, payload: payload))
        case 4:
            try element("error code")
            let code = try string("error code")
            try element("error description")
            let description = try string("error description")
            try element("error details")
            let details = try raw()
            try end(5)
            return .callError(OCPPCallErrorMessage(id: id!, code: code, description: description, details: details))
        default:
            throw fail("message type \(typeId!) is not supported", code: .messageTypeNotSupported)
        }
    }
}
