import Hummingbird

/// The request context of every HTTP route: Hummingbird's core storage and
/// the signed-in identity, once the token middleware has checked it.
struct AmpereRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The verified claims of the request's bearer token.
    var identity: APITokenClaims?

    init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
    }
}
