import OCPPCore

/// Answers with the request's text; served by the test router.
enum Echo: OCPPAction {
    typealias Request = EchoRequest
    typealias Response = EchoResponse
    static let name = "Echo"
    static let direction = OCPPDirection.both
}

/// Its handler throws: `OCPPCallError(.securityError)` when the text is
/// "call-error", a private error otherwise.
enum Fail: OCPPAction {
    typealias Request = EchoRequest
    typealias Response = EchoResponse
    static let name = "Fail"
    static let direction = OCPPDirection.both
}

/// Served by an immediate handler: answers with the context and the text,
/// and throws as `Fail` does for "call-error" and "boom".
enum Instant: OCPPAction {
    typealias Request = EchoRequest
    typealias Response = EchoResponse
    static let name = "Instant"
    static let direction = OCPPDirection.both
}

/// Defined by the test protocol, served by no handler.
enum Unserved: OCPPAction {
    typealias Request = EchoRequest
    typealias Response = EchoResponse
    static let name = "Unserved"
    static let direction = OCPPDirection.both
}

/// An error whose text must never reach the wire.
struct SecretError: Error, CustomStringConvertible {
    var description: String { "secret-database-password" }
}

enum TestProtocol {
    static func definition(_ version: OCPPVersion) -> OCPPProtocolDefinition {
        OCPPProtocolDefinition(
            version: version,
            actions: [
                OCPPActionDescriptor(Echo.self), OCPPActionDescriptor(Fail.self), OCPPActionDescriptor(Unserved.self),
                OCPPActionDescriptor(Instant.self),
            ])
    }

    /// A router over `definition(version)` serving Echo, Fail and Instant
    /// (immediate); the context is prefixed to Echo's and Instant's answers.
    static func router(_ version: OCPPVersion = .v16) -> OCPPRouter<String> {
        var router = OCPPRouter<String>(definition(version))
        router.on(Echo.self) { request, context in EchoResponse(text: context + request.text) }
        router.on(Fail.self) { request, _ in
            if request.text == "call-error" { throw OCPPCallError(.securityError, "not allowed") }
            throw SecretError()
        }
        router.onImmediate(Instant.self) { request, context in
            switch request.text {
            case "call-error": throw OCPPCallError(.securityError, "not allowed")
            case "boom": throw SecretError()
            default: return EchoResponse(text: context + request.text)
            }
        }
        return router
    }
}
