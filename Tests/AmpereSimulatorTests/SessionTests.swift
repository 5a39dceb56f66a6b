import AmpereSimulator
import AmpereTestSupport
import Foundation
import Testing

/// A driver session end to end: the transaction and its meter values as the server stored them.
@Suite struct SessionTests {
    @Test func driverSessionStoresATransactionWithConsistentMeterValues() async throws {
        try await SimTestServer.withServer { server in
            let api = try await SimAPIClient.signedIn(server)
            try await api.createTag("DRIVER-1")
            let configuration = SimTestSupport.configuration([server.wsURL], id: "SESSION-1")
            let chargePoint = SimulatedChargePoint(configuration: configuration, logger: SimTestSupport.logger)
            let transaction = try await SimTestSupport.run(chargePoint) {
                try await Polling.eventually("a boot") { chargePoint.isBooted }
                #expect(chargePoint.plugIn(connectorId: 1, idTag: "DRIVER-1"))
                // The driver leaves once the server holds three periodic energy readings, not after a
                // fixed time: on a busy machine a 1.5 s session had been sampled only once.
                let started = try await Polling.eventuallyFound("a started transaction") {
                    try await api.transactions(of: "SESSION-1").first?["id"] as? Int
                }
                try await Polling.eventually("three periodic energy readings stored") {
                    try await api.meterValues(of: started).filter {
                        $0["context"] as? String == "Sample.Periodic"
                            && $0["measurand"] as? String == "Energy.Active.Import.Register"
                    }.count >= 3
                }
                chargePoint.unplug(connectorId: 1)
                let transaction = try await Polling.eventuallyFound("a stopped transaction") {
                    try await api.transactions(of: "SESSION-1").first { $0["meterStop"] as? Int != nil }
                        .map(TransactionView.init)
                }
                // The server's view, not the charge point's: the last StatusNotification must have been stored.
                _ = try await Polling.eventuallyFound("connector 1 available again") {
                    let connectors = try await api.send("GET", "/api/v1/charging-stations/SESSION-1")
                        .object["connectors"] as? [[String: Any]]
                    return connectors?.first { $0["connectorId"] as? Int == 1 && $0["status"] as? String == "Available" }
                }
                return transaction
            }
            #expect(transaction.idTag == "DRIVER-1")
            #expect(transaction.connectorId == 1)
            #expect(transaction.stopReason == "Local")
            #expect(transaction.meterStop > transaction.meterStart)

            let samples = try await api.meterValues(of: transaction.id).map(SampleView.init)
            let periodic = samples.filter { $0.context == "Sample.Periodic" }
            let energy = periodic.filter { $0.measurand == "Energy.Active.Import.Register" }
            #expect(energy.count >= 3)
            #expect(zip(energy, energy.dropFirst()).allSatisfy { $0.value < $1.value && $0.timestamp < $1.timestamp })
            #expect(
                energy.allSatisfy {
                    $0.value >= Double(transaction.meterStart) && $0.value < Double(transaction.meterStop + 1)
                })
            #expect(energy.allSatisfy { $0.unit == "Wh" })
            // P = 3 · U · I at every sample, within the rounding of the values.
            for (timestamp, group) in Dictionary(grouping: periodic, by: \.timestamp) {
                let power = try #require(group.first { $0.measurand == "Power.Active.Import" }).value
                let currents = group.filter { $0.measurand == "Current.Import" }
                let voltages = group.filter { $0.measurand == "Voltage" }
                #expect(currents.count == 3 && voltages.count == 3, "at \(timestamp)")
                let computed = 3 * voltages[0].value * currents[0].value
                #expect(abs(computed - power) <= max(1, power * 0.001), "at \(timestamp)")
                let soc = try #require(group.first { $0.measurand == "SoC" })
                #expect(soc.unit == "Percent" && (0...100).contains(soc.value))
            }
            // The energy register grows as the power says: ΔE = P·Δt between samples.
            let powers = periodic.filter { $0.measurand == "Power.Active.Import" }
            #expect(powers.allSatisfy { $0.value > 0 })
            let powerAt = Dictionary(powers.map { ($0.timestamp, $0.value) }, uniquingKeysWith: { a, _ in a })
            for (before, after) in zip(energy, energy.dropFirst()) {
                let seconds = try #require(after.date).timeIntervalSince(try #require(before.date))
                let expected = try #require(powerAt[before.timestamp]) * seconds / 3600
                #expect(abs((after.value - before.value) - expected) <= 0.2 + expected * 0.05)
            }
            let begin = samples.filter { $0.context == "Transaction.Begin" }
            let end = samples.filter { $0.context == "Transaction.End" }
            #expect(begin.map(\.value) == [Double(transaction.meterStart)])
            #expect(end.first.map { Int($0.value) } == transaction.meterStop)

            let history = try await api.send("GET", "/api/v1/charging-stations/SESSION-1/status-history?limit=100")
                .items.reversed().filter { $0["connectorId"] as? Int == 1 }.compactMap { $0["status"] as? String }
            #expect(history.suffix(4) == ["Preparing", "Charging", "Finishing", "Available"])
        }
    }

    @Test func unknownTagIsTurnedAway() async throws {
        try await SimTestServer.withServer { server in
            let api = try await SimAPIClient.signedIn(server)
            let configuration = SimTestSupport.configuration([server.wsURL], id: "SESSION-2")
            let chargePoint = SimulatedChargePoint(configuration: configuration, logger: SimTestSupport.logger)
            try await SimTestSupport.run(chargePoint) {
                try await Polling.eventually("a boot") { chargePoint.isBooted }
                #expect(chargePoint.plugIn(connectorId: 1, idTag: "NOBODY"))
                try await Polling.eventually("the driver turned away") {
                    chargePoint.stats.snapshot().sessionsRefused == 1
                }
                try await Polling.eventually("connector 1 available again") {
                    chargePoint.status(ofConnector: 1) == "Available"
                }
            }
            // The message log is written in batches, shortly after.
            try await Polling.eventually("the Authorize logged") {
                try await api.receivedActions(of: "SESSION-2").contains("Authorize")
            }
            #expect(try await api.transactions(of: "SESSION-2").isEmpty)
        }
    }
}

/// A transaction as the REST API shows it.
struct TransactionView: Sendable {
    var id: Int
    var idTag: String
    var connectorId: Int
    var meterStart: Int
    var meterStop: Int
    var stopReason: String?

    init(_ json: [String: Any]) {
        id = json["id"] as? Int ?? -1
        idTag = json["idTag"] as? String ?? ""
        connectorId = json["connectorId"] as? Int ?? -1
        meterStart = json["meterStart"] as? Int ?? -1
        meterStop = json["meterStop"] as? Int ?? -1
        stopReason = json["stopReason"] as? String
    }
}

/// A sampled value as the REST API shows it, its value as a number.
struct SampleView: Sendable {
    var timestamp: String
    var value: Double
    var measurand: String
    var unit: String
    var context: String
    var phase: String?

    /// The timestamp as a date (the API writes milliseconds).
    var date: Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: timestamp)
    }

    init(_ json: [String: Any]) {
        timestamp = json["timestamp"] as? String ?? ""
        value = Double(json["value"] as? String ?? "") ?? .nan
        measurand = json["measurand"] as? String ?? ""
        unit = json["unit"] as? String ?? ""
        context = json["context"] as? String ?? ""
        phase = json["phase"] as? String
    }
}
