import AmpereSimulator
import AmpereTestSupport
import Foundation
import Testing

/// The central system goes away mid-session and another takes its place on
/// the same port and database: the charge point reconnects, boots, and sends
/// what it queued, in order and once.
@Suite struct ReconnectTests {
    @Test func queuedTransactionMessagesAreResentAfterReconnecting() async throws {
        let directory = try SimTestServer.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try await SimTestServer.freePort()
        var configuration = SimTestSupport.configuration(["ws://127.0.0.1:\(port)/ocpp"], id: "DROP-1")
        // The second driver arrives while the charge point is offline.
        configuration.settings = ["AllowOfflineTxForUnknownId": "true"]
        let chargePoint = SimulatedChargePoint(configuration: configuration, logger: SimTestSupport.logger)
        let stats = chargePoint.stats

        try await SimTestSupport.run(chargePoint) {
            try await SimTestServer.withServer(in: directory, port: port) { server in
                let api = try await SimAPIClient.signedIn(server)
                try await api.createTag("DROP-TAG-1")
                try await api.createTag("DROP-TAG-2")
                try await Polling.eventually("a boot") { chargePoint.isBooted }
                #expect(chargePoint.plugIn(connectorId: 1, idTag: "DROP-TAG-1"))
                let first = try await Polling.eventuallyFound("the first transaction with meter values") {
                    () async throws -> TransactionView? in
                    let transaction = try await api.transactions(of: "DROP-1").first.map(TransactionView.init)
                    guard let transaction, try await api.meterValues(of: transaction.id).count >= 10 else { return nil }
                    return transaction
                }
                #expect(first.connectorId == 1)
            }
            // Offline: periodic meter values queue up, and a second session starts.
            try await Polling.eventually("the connection lost") { !chargePoint.isConnected }
            #expect(chargePoint.plugIn(connectorId: 2, idTag: "DROP-TAG-2"))
            try await Polling.eventually("messages queued offline") { chargePoint.queuedMessages >= 6 }

            try await SimTestServer.withServer(in: directory, port: port) { server in
                let api = try await SimAPIClient.signedIn(server)
                try await Polling.eventually("a boot on the new server") {
                    chargePoint.bootsAccepted >= 2 && chargePoint.isBooted
                }
                try await Polling.eventually("both transactions running on the new server") {
                    try await api.transactions(of: "DROP-1").count == 2
                }
                chargePoint.unplug(connectorId: 1)
                chargePoint.unplug(connectorId: 2)
                let transactions = try await Polling.eventuallyFound("both transactions stopped, queue empty") {
                    () async throws -> [TransactionView]? in
                    let all = try await api.transactions(of: "DROP-1").map(TransactionView.init)
                    let done = all.count == 2 && all.allSatisfy { $0.meterStop >= 0 } && chargePoint.queuedMessages == 0
                    return done ? all : nil
                }
                #expect(Set(transactions.map(\.idTag)) == ["DROP-TAG-1", "DROP-TAG-2"])
                #expect(Set(transactions.map(\.connectorId)) == [1, 2])
                var stored = 0
                for transaction in transactions {
                    let energy = try await api.meterValues(of: transaction.id).map(SampleView.init)
                        .filter { $0.context == "Sample.Periodic" && $0.measurand == "Energy.Active.Import.Register" }
                    #expect(!energy.isEmpty)
                    #expect(zip(energy, energy.dropFirst()).allSatisfy { $0.value < $1.value })
                    #expect(Set(energy.map(\.timestamp)).count == energy.count)
                    #expect(transaction.meterStop >= Int(energy.last?.value ?? 0))
                    stored += energy.count
                }
                // Every MeterValues made, offline ones included, stored exactly once.
                #expect(stored == stats.snapshot().meterValuesQueued)
                #expect(stats.snapshot().transactionMessagesDropped == 0)
            }
        }
        #expect(stats.snapshot().connections >= 2)
    }
}
