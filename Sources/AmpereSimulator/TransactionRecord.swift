import Foundation

/// A transaction the charge point started, known by its local number until
/// the central system's StartTransaction answer gives its id.
struct TransactionRecord: Sendable, Equatable {
    let localId: Int
    let connectorId: Int
    let idTag: String
    let startedAt: Date
    /// The central system's transactionId, once answered.
    var transactionId: Int?
    /// The central system refused the StartTransaction for good: later
    /// messages of the transaction have no id to carry and are dropped.
    var failed = false
}
