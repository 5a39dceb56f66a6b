import Foundation

/// The contract's rules for answering an id tag (OCPP 1.6 Authorize and StartTransaction).
public struct Authorizer: Sendable {
    let tags: any TagRepository
    let transactions: any TransactionRepository

    public init(tags: any TagRepository, transactions: any TransactionRepository) {
        self.tags = tags
        self.transactions = transactions
    }

    /// The answer to a tag, and the tag when it is known.
    /// - Parameter forNewTransaction: a tag with an active transaction
    ///   elsewhere then answers ConcurrentTx (Authorize still answers Accepted,
    ///   so that a driver can stop a session with the same card).
    public func authorize(_ idTag: String, at now: Date, forNewTransaction: Bool, excludingTransaction: Int? = nil)
        async throws -> (status: AuthorizationStatus, tag: IdTag?)
    {
        guard let tag = try await tags.tag(idTag) else { return (.invalid, nil) }
        if let expiry = tag.expiryDate, expiry <= now { return (.expired, tag) }
        guard tag.status == .accepted else { return (tag.status, tag) }
        if forNewTransaction, let active = try await transactions.activeTransaction(idTag: idTag),
            active.id != excludingTransaction
        {
            return (.concurrentTx, tag)
        }
        return (.accepted, tag)
    }
}
