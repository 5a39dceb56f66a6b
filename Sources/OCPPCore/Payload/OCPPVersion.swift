/// An OCPP version as negotiated through the WebSocket subprotocol.
public struct OCPPVersion: Sendable, Hashable, CustomStringConvertible {
    /// Versions whose JSON binding shares error spellings.
    public enum Family: Sendable, Hashable {
        /// OCPP 1.6J.
        case v1
        /// OCPP 2.0.1 and later.
        case v2
    }

    /// The version as the specification names it, e.g. `"1.6"`.
    public let name: String
    /// The WebSocket subprotocol token, e.g. `"ocpp1.6"`.
    public let subprotocol: String
    /// Which error-code spelling the version uses.
    public let family: Family

    public init(name: String, subprotocol: String, family: Family) {
        self.name = name
        self.subprotocol = subprotocol
        self.family = family
    }

    /// OCPP 1.6J.
    public static let v16 = OCPPVersion(name: "1.6", subprotocol: "ocpp1.6", family: .v1)
    /// OCPP 2.0.1.
    public static let v201 = OCPPVersion(name: "2.0.1", subprotocol: "ocpp2.0.1", family: .v2)

    public var description: String { name }
}
