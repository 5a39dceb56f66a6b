import Foundation

/// The log of OCPP frames sent and received.
public protocol MessageLogRepository: Sendable {
    func append(_ records: [OCPPMessageRecord]) async throws
    /// A station's frames, newest first.
    func messages(stationId: String, _ page: PageRequest) async throws -> Page<OCPPMessageRecord>
    /// Removes records older than `cutoff`; returns how many.
    func prune(before cutoff: Date) async throws -> Int
}
