/// A CALL: `[2, messageId, action, payload]` (OCPP-J 1.6 §4.2.1).
public struct OCPPCall: Sendable, Hashable {
    public var id: String
    public var action: String
    /// The payload; when `payloadRunsToFrameEnd` is set, the frame's closing
    /// `]` follows it within these bytes.
    public var payload: RawJSON
    /// True for a call from `OCPPMessage.parseDeferringPayload(_:)`: the
    /// payload and the end of the frame are checked by whoever decodes it.
    public var payloadRunsToFrameEnd: Bool

    public init(id: String, action: String, payload: RawJSON) {
        self.init(id: id, action: action, payload: payload, payloadRunsToFrameEnd: false)
    }

    init(id: String, action: String, payload: RawJSON, payloadRunsToFrameEnd: Bool) {
        self.id = id
        self.action = action
        self.payload = payload
        self.payloadRunsToFrameEnd = payloadRunsToFrameEnd
    }

    /// The payload alone, its syntax and the rest of the frame checked.
    public func checkedPayload() throws(OCPPFrameError) -> RawJSON {
        guard payloadRunsToFrameEnd else { return payload }
        let bytes = payload.bytes
        return try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(OCPPFrameError) -> RawJSON in
            _ = reader.peekKind()
            let start = reader.offset
            do throws(OCPPValidationError) { try reader.skipValue() } catch {
                throw OCPPFrameError(.formatViolation, error.reason, messageId: id, messageTypeId: 2)
            }
            let end = reader.offset
            try Self.checkFrameEnd(&reader, id: id)
            return RawJSON(bytes[(bytes.startIndex + start)..<(bytes.startIndex + end)])
        }
    }

    /// After the payload: the closing `]` of a CALL and nothing more.
    @usableFromInline
    static func checkFrameEnd(_ reader: inout JSONReader, id: String) throws(OCPPFrameError) {
        do {
            guard try !reader.nextElement() else {
                throw OCPPFrameError(.rpcFrameworkError, "a CALL has exactly 4 elements", messageId: id, messageTypeId: 2)
            }
            try reader.expectEnd()
        } catch let error as OCPPFrameError {
            throw error
        } catch {
            throw OCPPFrameError(.rpcFrameworkError, "\(error)", messageId: id, messageTypeId: 2)
        }
    }

    /// Decodes the payload as `T`; for a deferred payload, also checks the
    /// end of the frame. Schema violations throw `OCPPValidationError`, a
    /// broken frame `OCPPFrameError`.
    @inlinable
    public func decodePayload<T: OCPPJSONCodable>(as type: T.Type) throws -> T {
        guard payloadRunsToFrameEnd else { return try T.decode(json: payload.bytes) }
        return try JSONReader.withReader(payload.bytes) { (reader: inout JSONReader) throws -> T in
            let value = try T(json: &reader)
            try Self.checkFrameEnd(&reader, id: id)
            return value
        }
    }
}

/// A CALLRESULT: `[3, messageId, payload]` (OCPP-J 1.6 §4.2.2).
public struct OCPPCallResult: Sendable, Hashable {
    public var id: String
    public var payload: RawJSON

    public init(id: String, payload: RawJSON) {
        self.id = id
        self.payload = payload
    }
}

/// A CALLERROR as received: `[4, messageId, errorCode, errorDescription, errorDetails]`
/// (OCPP-J 1.6 §4.2.3).
public struct OCPPCallErrorMessage: Sendable, Hashable {
    public var id: String
    /// The code as the peer spelled it.
    public var code: String
    public var description: String
    public var details: RawJSON

    public init(id: String, code: String, description: String, details: RawJSON = .emptyObject) {
        self.id = id
        self.code = code
        self.description = description
        self.details = details
    }
}

/// One OCPP-J RPC frame.
public enum OCPPMessage: Sendable, Hashable {
    case call(OCPPCall)
    case callResult(OCPPCallResult)
    case callError(OCPPCallErrorMessage)

    /// The message id the frame carries.
    public var id: String {
        switch self {
        case .call(let call): call.id
        case .callResult(let result): result.id
        case .callError(let error): error.id
        }
    }
}

/// A frame that is not valid OCPP-J.
public struct OCPPFrameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `rpcFrameworkError` or `messageTypeNotSupported` (2.0.1 spellings;
    /// `wireName(for:)` gives 1.6's).
    public var code: OCPPErrorCode
    /// The message id when it could be read.
    public var messageId: String?
    /// The message type id when it could be read.
    public var messageTypeId: Int?
    public var reason: String

    public init(_ code: OCPPErrorCode, _ reason: String, messageId: String? = nil, messageTypeId: Int? = nil) {
        self.code = code
        self.reason = reason
        self.messageId = messageId
        self.messageTypeId = messageTypeId
    }

    /// The id to answer with: the frame's own, or `-1` where none can be
    /// read (OCPP-J 2.0.1 §4.2.3) or it is too long to be sent back.
    public var replyId: String {
        guard let messageId, messageId.unicodeScalars.count <= OCPPMessage.maxMessageIdLength else { return "-1" }
        return messageId
    }

    public var description: String { reason }
}
