/// A CALL: `[2, messageId, action, payload]` (OCPP-J 1.6 §4.2.1).
public struct OCPPCall: Sendable, Hashable {
    public var id: String
    public var action: String
    public var payload: RawJSON

    public init(id: String, action: String, payload: RawJSON) {
        self.id = id
        self.action = action
        self.payload = payload
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
    /// read (OCPP-J 2.0.1 §4.2.3).
    public var replyId: String { messageId ?? "-1" }

    public var description: String { reason }
}
