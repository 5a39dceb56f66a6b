import Foundation
import OCPPCore
import Synchronization

/// Reads back through the REST API what the stations of a run sent, and
/// counts what is found, missing and duplicated (CONTRACT.md:
/// `GET /api/v1/transactions?chargingStationId=…`,
/// `GET /api/v1/transactions/{id}/meter-values`).
enum StorageVerifier {
    private struct TransactionView: Decodable {
        var id: Int
        var idTag: String
        var stoppedAt: String?
    }

    private struct SampleView: Decodable {
        var timestamp: String
        var measurand: String
        var phase: String?
    }

    private struct SampleKey: Hashable {
        var millis: Int64
        var measurand: String
        var phase: String?
    }

    /// Checks every station of `ledger`, `width` stations at a time.
    static func check(_ ledger: TransactionLedger, api: BenchAPI, width: Int = 8) async throws -> StorageCheck {
        let stations = Array(ledger.all)
        let total = Locked(StorageCheck())
        let failure = Locked<(any Error)?>(nil)
        await StationContext.concurrently(count: stations.count, width: width) { index in
            let (station, entries) = stations[index]
            do {
                let check = try await Self.check(station: station, entries: entries, runTag: ledger.runTag, api: api)
                total.withLock { $0.add(check) }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        var check = total.withLock { $0 }
        check.settle()
        return check
    }

    private static func check(
        station: String, entries: [TransactionLedger.Entry], runTag: String, api: BenchAPI
    ) async throws -> StorageCheck {
        var check = StorageCheck()
        let stored = try await api.all(
            "/api/v1/transactions?chargingStationId=\(BenchAPI.queryValue(station))", as: TransactionView.self
        ).filter { $0.idTag.hasPrefix(runTag + "-") }
        var byTag: [String: [TransactionView]] = [:]
        for transaction in stored { byTag[transaction.idTag.uppercased(), default: []].append(transaction) }
        let kinds = BenchFrames.sampledKinds
        for entry in entries {
            let matches = byTag.removeValue(forKey: entry.idTag.uppercased()) ?? []
            guard entry.started else {
                check.unansweredCalls += 1
                check.transactionsDuplicated += max(0, matches.count - 1)
                continue
            }
            check.transactionsExpected += 1
            check.sampledValuesExpected += entry.meterValues.count * kinds.count
            check.unansweredCalls += entry.unanswered.count
            guard !matches.isEmpty else {
                check.transactionsMissing += 1
                check.sampledValuesMissing += entry.meterValues.count * kinds.count
                continue
            }
            check.transactionsFound += 1
            check.transactionsDuplicated += matches.count - 1
            if entry.stopped, !matches.contains(where: { $0.stoppedAt != nil }) { check.transactionsNotStopped += 1 }

            // The values of every copy: a value stored under a duplicate is stored twice all the same.
            var counts: [SampleKey: Int] = [:]
            for transaction in matches {
                let samples = try await api.all(
                    "/api/v1/transactions/\(transaction.id)/meter-values", as: SampleView.self)
                for sample in samples {
                    guard let date = OCPPDateTime.parse(sample.timestamp) else { continue }
                    let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
                    counts[SampleKey(millis: millis, measurand: sample.measurand, phase: sample.phase), default: 0] += 1
                }
            }
            for millis in entry.meterValues {
                for kind in kinds {
                    let found =
                        counts.removeValue(
                            forKey: SampleKey(millis: millis, measurand: kind.measurand, phase: kind.phase)) ?? 0
                    if found == 0 { check.sampledValuesMissing += 1 } else { check.sampledValuesFound += 1 }
                    check.sampledValuesDuplicated += max(0, found - 1)
                }
            }
            // What is left was never answered (once is right) or never sent (always wrong).
            let unanswered = Set(entry.unanswered)
            for (key, count) in counts {
                check.sampledValuesDuplicated += unanswered.contains(key.millis) ? count - 1 : count
            }
        }
        // Transactions of this run that no station of it started.
        check.transactionsDuplicated += byTag.values.reduce(0) { $0 + $1.count }
        return check
    }
}

extension StorageCheck {
    mutating func add(_ other: StorageCheck) {
        transactionsExpected += other.transactionsExpected
        transactionsFound += other.transactionsFound
        transactionsMissing += other.transactionsMissing
        transactionsDuplicated += other.transactionsDuplicated
        transactionsNotStopped += other.transactionsNotStopped
        sampledValuesExpected += other.sampledValuesExpected
        sampledValuesFound += other.sampledValuesFound
        sampledValuesMissing += other.sampledValuesMissing
        sampledValuesDuplicated += other.sampledValuesDuplicated
        unansweredCalls += other.unansweredCalls
    }
}
