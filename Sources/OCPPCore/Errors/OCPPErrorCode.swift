/// A CALLERROR error code, independent of the OCPP version that spells it.
///
/// OCPP-J 1.6 §4.2.3 and OCPP-J 2.0.1 §4.3 define slightly different lists;
/// `wireName(for:)` gives the spelling a peer of that version expects (1.6
/// keeps the errata's `OccurenceConstraintViolation` and says
/// `FormationViolation` where 2.0.1 says `FormatViolation`).
public enum OCPPErrorCode: String, Sendable, Hashable, CaseIterable {
    case notImplemented = "NotImplemented"
    case notSupported = "NotSupported"
    case internalError = "InternalError"
    case protocolError = "ProtocolError"
    case securityError = "SecurityError"
    case formatViolation = "FormatViolation"
    case propertyConstraintViolation = "PropertyConstraintViolation"
    case occurrenceConstraintViolation = "OccurrenceConstraintViolation"
    case typeConstraintViolation = "TypeConstraintViolation"
    case genericError = "GenericError"
    /// OCPP-J 2.0.1 only: the message type id is unknown.
    case messageTypeNotSupported = "MessageTypeNotSupported"
    /// OCPP-J 2.0.1 only: the frame is not a valid RPC message.
    case rpcFrameworkError = "RpcFrameworkError"

    /// The name this code has on the wire for `version`.
    public func wireName(for version: OCPPVersion) -> String {
        guard version.family == .v1 else { return rawValue }
        switch self {
        // OCPP-J 1.6 §4.2.3 as amended by the errata: the misspelling is normative.
        case .occurrenceConstraintViolation: return "OccurenceConstraintViolation"
        case .formatViolation: return "FormationViolation"
        // 1.6 has no RPC framework codes; a frame that breaks the PDU
        // structure is a FormationViolation there.
        case .rpcFrameworkError, .messageTypeNotSupported: return "FormationViolation"
        default: return rawValue
        }
    }

    /// Reads a code as any OCPP version spells it; `nil` for an unknown name.
    public init?(wireName: String) {
        switch wireName {
        case "OccurenceConstraintViolation": self = .occurrenceConstraintViolation
        case "FormationViolation": self = .formatViolation
        default: self.init(rawValue: wireName)
        }
    }
}
