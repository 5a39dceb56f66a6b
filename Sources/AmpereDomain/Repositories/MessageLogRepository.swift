import Foundation

/// The log of OCPP frames sent and received.
public protocol MessageLogRepository: Sendable {
    /// Stores `records` in order, in one transaction that may take several
    /// statements; `pause` runs between two of them, told how long the one
    /// before took, so that the caller can spread a large batch over time
    /// instead of taking a core for it in one burst.
    func append(
        _ records: [OCPPMessageRecord], pausingBetweenStatements pause: @escaping @Sendable (Duration) async -> Void
    ) async throws
    /// A station's frames, newest first.
    func messages(stationId: String, _ page: PageRequest) async throws -> Page<OCPPMessageRecord>
    /// Removes records older than `cutoff`; returns how many.
    func prune(before cutoff: Date) async throws -> Int
}

extension MessageLogRepository {
    /// Stores `records` in order, without pausing.
    public func append(_ records: [OCPPMessageRecord]) async throws {
        try await append(records, pausingBetweenStatements: { _ in })
    }
}
