import Foundation
import OCPP16
import Testing

@testable import AmpereSimulator

@Suite struct OutboxTests {
    static func status(_ connector: Int) -> OutboundMessage {
        .statusNotification(.init(connectorId: connector, errorCode: .noError, status: .available))
    }

    static func meter(_ local: Int) -> OutboundMessage {
        .meterValues(local: local, .init(connectorId: 1, meterValue: []))
    }

    static let start = OutboundMessage.startTransaction(
        local: 1, .init(connectorId: 1, idTag: "T", meterStart: 0, timestamp: Date()))

    @Test func offlineKeepsOnlyTransactionMessagesInOrder() async {
        let outbox = Outbox(capacity: 100, stats: SimulatorStats())
        #expect(!outbox.enqueue(Self.status(1)))
        #expect(outbox.enqueue(Self.start))
        #expect(outbox.enqueue(Self.meter(1)))
        #expect(await outbox.request(.authorize(.init(idTag: "T"))) == nil)
        #expect(outbox.count == 2)
        outbox.setOnline(true)
        #expect(outbox.enqueue(Self.status(2)))
        outbox.setOnline(false)
        #expect(outbox.count == 2)
        let first = await outbox.head()
        guard case .startTransaction = first?.message else {
            Issue.record("start first")
            return
        }
        outbox.complete(first!.id, with: .done)
        guard case .meterValues = await outbox.head()?.message else {
            Issue.record("then meter values")
            return
        }
    }

    @Test func requestIsAnsweredByTheDrainer() async {
        let outbox = Outbox(capacity: 100, stats: SimulatorStats())
        outbox.setOnline(true)
        async let answer = outbox.request(.authorize(.init(idTag: "T")))
        let entry = await outbox.head()
        outbox.complete(entry!.id, with: .authorized(.init(status: "Accepted")))
        #expect(await answer == .authorized(.init(status: "Accepted")))
        #expect(outbox.count == 0)
    }

    @Test func aFullQueueDropsTheOldestMeterValuesButNeverStartOrStop() async {
        let stats = SimulatorStats()
        let outbox = Outbox(capacity: 3, stats: stats)
        outbox.enqueue(Self.start)
        outbox.enqueue(Self.meter(1))
        outbox.enqueue(.meterValues(local: 1, .init(connectorId: 2, meterValue: [])))
        outbox.enqueue(.stopTransaction(local: 1, .init(meterStop: 1, timestamp: Date(), transactionId: 0)))
        #expect(outbox.count == 3)
        #expect(stats.snapshot().transactionMessagesDropped == 1)
        let first = await outbox.head()
        outbox.complete(first!.id, with: nil)
        guard case .meterValues(_, let request) = await outbox.head()?.message else {
            Issue.record("meter values next")
            return
        }
        #expect(request.connectorId == 2)
    }

    @Test func headWaitsForAMessageAndEndsOnCancellation() async {
        let outbox = Outbox(capacity: 10, stats: SimulatorStats())
        async let waiting = outbox.head()
        try? await Task.sleep(for: .milliseconds(20))
        outbox.enqueue(Self.start)
        #expect(await waiting != nil)
        let cancelled = Task { await Outbox(capacity: 10, stats: SimulatorStats()).head() }
        cancelled.cancel()
        #expect(await cancelled.value == nil)
    }
}
