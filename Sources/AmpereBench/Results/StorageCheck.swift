/// What the server stored against what the stations sent: every transaction
/// and every sampled value found exactly once.
public struct StorageCheck: Sendable, Codable, Equatable {
    public var transactionsExpected = 0
    public var transactionsFound = 0
    public var transactionsMissing = 0
    /// Extra copies of an expected transaction, and transactions of this run no station started.
    public var transactionsDuplicated = 0
    /// Found, but not stopped although the station's StopTransaction was answered.
    public var transactionsNotStopped = 0
    public var sampledValuesExpected = 0
    public var sampledValuesFound = 0
    public var sampledValuesMissing = 0
    /// Extra copies of an expected sampled value, and sampled values no station sent.
    public var sampledValuesDuplicated = 0
    /// Calls never answered (timeouts, dropped connections): their transaction
    /// or values may be stored once or not at all, so they are left out of the
    /// expected counts; more than one copy still counts as duplicated.
    public var unansweredCalls = 0
    /// Nothing missing, duplicated or left running.
    public var matches = true

    mutating func settle() {
        matches =
            transactionsMissing == 0 && transactionsDuplicated == 0 && transactionsNotStopped == 0
            && sampledValuesMissing == 0 && sampledValuesDuplicated == 0
    }
}
