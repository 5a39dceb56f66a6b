/// An error that becomes (or came as) a CALLERROR.
///
/// A handler throws it to answer with a chosen code; a call whose peer
/// answered with a CALLERROR throws it with the peer's code.
public struct OCPPCallError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: OCPPErrorCode
    /// The code as the peer spelled it, for received errors (`code` is
    /// `genericError` when that spelling is unknown).
    public var wireCode: String?
    public var errorDescription: String
    public var details: RawJSON

    public init(_ code: OCPPErrorCode, _ description: String = "", details: RawJSON = .emptyObject) {
        self.code = code
        self.errorDescription = description
        self.details = details
    }

    /// The error a received CALLERROR carries.
    public init(received message: OCPPCallErrorMessage) {
        code = OCPPErrorCode(wireName: message.code) ?? .genericError
        wireCode = message.code
        errorDescription = message.description
        details = message.details
    }

    public var description: String {
        "\(wireCode ?? code.rawValue)\(errorDescription.isEmpty ? "" : ": \(errorDescription)")"
    }
}
