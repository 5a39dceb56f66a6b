import AmpereDomain
import OCPP16

/// Authorize (OCPP 1.6 §4.1): the tag's answer by the contract's rules. A tag
/// with an active transaction still answers Accepted here, so that a driver
/// can stop a session with the same card.
enum AuthorizeHandler {
    static func handle(_ request: AuthorizeRequest, _ context: ChargePointContext) async throws -> AuthorizeResponse {
        let (status, tag) = try await context.services.authorizer.authorize(
            request.idTag, at: context.services.now(), forNewTransaction: false)
        return AuthorizeResponse(
            idTagInfo: .init(
                expiryDate: tag?.expiryDate, parentIdTag: tag?.parentIdTag,
                status: .init(rawValue: status.rawValue) ?? .invalid))
    }
}
