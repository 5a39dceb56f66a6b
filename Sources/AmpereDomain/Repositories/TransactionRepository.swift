import Foundation

/// Charging sessions and their meter values.
public protocol TransactionRepository: Sendable {
    /// Records a start and assigns its id. A start equal to an earlier one
    /// (same station, connector, tag, timestamp and meterStart, as a station
    /// resends after a lost answer) returns that transaction and stores nothing.
    func start(_ start: TransactionStart, status: AuthorizationStatus) async throws -> Transaction
    /// Records a stop; nil when the id is unknown. Stopping a stopped
    /// transaction again changes nothing.
    func stop(_ stop: TransactionStop) async throws -> Transaction?
    func transaction(_ id: Int) async throws -> Transaction?
    func transactions(_ filter: TransactionFilter, _ page: PageRequest) async throws -> Page<Transaction>
    /// The active transaction of a tag (compared case-insensitively), if any.
    func activeTransaction(idTag: String) async throws -> Transaction?
    /// Stores sampled values; one equal to a stored one (same station,
    /// connector, transaction, time, measurand, phase, location, context) is skipped.
    func addMeterSamples(_ samples: [MeterSample]) async throws
    /// The sampled values of a transaction, oldest first.
    func meterSamples(transactionId: Int, _ page: PageRequest) async throws -> Page<MeterSample>
    /// A station's newest sampled values: for each connector, those of the
    /// latest time it reported, in or outside a transaction; by connector.
    func latestMeterSamples(stationId: String) async throws -> [MeterSample]
    /// Removes sampled values older than `cutoff` in small writes; returns how many.
    /// Transactions and their consumption stay.
    func pruneMeterSamples(before cutoff: Date) async throws -> Int
}
