/// Who sends the CALL of an action.
public enum OCPPDirection: String, Sendable, Hashable {
    /// The charge point (charging station) calls the central system (CSMS).
    case toCentralSystem
    /// The central system calls the charge point.
    case toChargePoint
    /// Either side may call (DataTransfer).
    case both

    /// True when a central system may receive this action's CALL.
    public var centralSystemReceives: Bool { self != .toChargePoint }
    /// True when a charge point may receive this action's CALL.
    public var chargePointReceives: Bool { self != .toCentralSystem }
}

/// One OCPP action: its name, direction and typed payloads.
///
/// Generated per version, e.g. `OCPP16.BootNotification`; used to register
/// typed handlers and to make typed calls.
public protocol OCPPAction: Sendable {
    associatedtype Request: OCPPPayload
    associatedtype Response: OCPPPayload
    /// The action name on the wire.
    static var name: String { get }
    static var direction: OCPPDirection { get }
}

/// An action known to a version, with validators of its payloads that need
/// no static type (for payloads that pass through untyped).
public struct OCPPActionDescriptor: Sendable {
    public let name: String
    public let direction: OCPPDirection
    /// Throws when `json` is not a valid request payload.
    public let validateRequest: @Sendable (ArraySlice<UInt8>) throws(OCPPValidationError) -> Void
    /// Throws when `json` is not a valid response payload.
    public let validateResponse: @Sendable (ArraySlice<UInt8>) throws(OCPPValidationError) -> Void
    /// Validates a request payload and returns it re-encoded in compact, canonical form.
    public let canonicalRequest: @Sendable (ArraySlice<UInt8>) throws(OCPPValidationError) -> [UInt8]
    /// Validates a response payload and returns it re-encoded in compact, canonical form.
    public let canonicalResponse: @Sendable (ArraySlice<UInt8>) throws(OCPPValidationError) -> [UInt8]

    public init<A: OCPPAction>(_ action: A.Type) {
        name = A.name
        direction = A.direction
        validateRequest = { json throws(OCPPValidationError) in _ = try A.Request.decode(json: json) }
        validateResponse = { json throws(OCPPValidationError) in _ = try A.Response.decode(json: json) }
        canonicalRequest = { json throws(OCPPValidationError) in try A.Request.decode(json: json).jsonBytes() }
        canonicalResponse = { json throws(OCPPValidationError) in try A.Response.decode(json: json).jsonBytes() }
    }
}

/// Everything a session needs to know of one OCPP version: its name and
/// subprotocol and the actions it defines.
public struct OCPPProtocolDefinition: Sendable {
    public let version: OCPPVersion
    /// Every action of the version by name.
    public let actions: [String: OCPPActionDescriptor]

    public init(version: OCPPVersion, actions: [OCPPActionDescriptor]) {
        self.version = version
        self.actions = Dictionary(uniqueKeysWithValues: actions.map { ($0.name, $0) })
    }
}
