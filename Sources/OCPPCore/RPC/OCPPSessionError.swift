/// Why an outgoing call on an `OCPPSession` failed, other than the peer
/// answering with a CALLERROR (that is an `OCPPCallError`).
public enum OCPPSessionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No answer came within the call's timeout (OCPP-J 1.6 §4.1.1).
    case timeout(action: String)
    /// The session was closed before the call was answered, or before it was made.
    case closed
    /// The session's OCPP version has no action of this name.
    case unknownAction(String)
    /// The answer breaks the action's response schema, or is not a valid frame.
    case invalidResponse(OCPPValidationError)
    /// The message id generator gave an id that a pending call already has.
    case duplicateMessageId(String)

    public var description: String {
        switch self {
        case .timeout(let action): "\(action) timed out"
        case .closed: "the OCPP session is closed"
        case .unknownAction(let action): "'\(action)' is not an action of this OCPP version"
        case .invalidResponse(let error): "invalid response: \(error)"
        case .duplicateMessageId(let id): "message id '\(id)' is already in use"
        }
    }
}
