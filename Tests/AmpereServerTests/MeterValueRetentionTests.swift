import AmpereDomain
import Foundation
import Logging
import Testing

@testable import AmpereServer

/// The retention service removes what is older than its period, and only that.
@Suite struct MeterValueRetentionTests {
    @Test(arguments: [1, 2])
    func prunesValuesOlderThanThePeriod(days: Int) async throws {
        try await APITestHarness.run { api in
            let (stopped, _) = try await APITransactionTests.seed(api.storage)
            let values = try await api.storage.transactions.meterSamples(transactionId: stopped.id, PageRequest())
            #expect(values.total == 2)
            // One day after the first value and before the second one turns a day old.
            let now = try #require(values.items.first?.timestamp).addingTimeInterval(86_400 + 30)
            let retention = MeterValueRetention(
                transactions: api.storage.transactions, retentionDays: days, logger: Logger(label: "test"),
                now: { now })
            await retention.prune()
            let kept = try await api.storage.transactions.meterSamples(transactionId: stopped.id, PageRequest())
            #expect(kept.items == (days == 1 ? Array(values.items.dropFirst()) : values.items))
        }
    }
}
