import NIOCore
import Testing

@testable import AmpereBench

/// The storage check finds what is missing or stored twice, not only that
/// all is well: a ledger that disagrees with the server must not match.
@Suite struct StorageCheckTests {
    @Test func aTransactionTheServerNeverSawIsMissing() async throws {
        try await BenchTestServer.with { server in
            let api = try await BenchAPI.signIn(server.credentials)
            defer { api.shutdown() }
            let ledger = TransactionLedger()
            var entry = TransactionLedger.Entry(idTag: ledger.idTag(station: 0, transaction: 1))
            entry.started = true
            entry.stopped = true
            entry.meterValues = [1_700_000_000_000, 1_700_000_001_000]
            ledger.add([entry], station: "GHOST-00001")
            let check = try await StorageVerifier.check(ledger, api: api)
            #expect(check.transactionsExpected == 1)
            #expect(check.transactionsMissing == 1)
            #expect(check.sampledValuesMissing == 2 * BenchFrames.sampledKinds.count)
            #expect(!check.matches)
        }
    }

    @Test func aSecondTransactionWithTheSameTagAndUnsentValuesCountAsDuplicated() async throws {
        try await BenchTestServer.with { server in
            let context = try StationContext(server.load(1, prefix: "DUP"))
            var station = StationDriver(index: 0, context: context)
            let boots = CallRecorder("boot")
            guard case .accepted = await station.connectAndBoot(boots, until: .now + .seconds(10)) else {
                Issue.record("no boot")
                return
            }
            let ledger = TransactionLedger()
            let idTag = ledger.idTag(station: 0, transaction: 1)
            var entry = TransactionLedger.Entry(idTag: idTag)
            // Two starts at different times: the server rightly keeps both, the station meant one.
            var transactionIds: [Int] = []
            for _ in 0..<2 {
                station.stamp()
                let timestamp = station.timestampBytes[...]
                let outcome = await station.call(nil) {
                    BenchFrames.startTransaction(&$0, id: $1, idTag: idTag, meterStart: 0, timestamp: timestamp)
                }
                transactionIds.append(try #require(StationDriver.transactionId(of: outcome)))
            }
            entry.started = true
            // One MeterValues the ledger knows of, and one it does not.
            for known in [true, false] {
                let millis = station.stamp()
                let timestamp = station.timestampBytes[...]
                let transactionId = transactionIds[0]
                let outcome = await station.call(nil, capacity: 1600) {
                    BenchFrames.meterValues(
                        &$0, id: $1, transactionId: transactionId, energyWh: 10, timestamp: timestamp)
                }
                #expect(outcome.isResult)
                if known { entry.meterValues.append(millis) }
            }
            await station.close()
            ledger.add([entry], station: station.id)

            let api = try await BenchAPI.signIn(server.credentials)
            defer { api.shutdown() }
            let check = try await StorageVerifier.check(ledger, api: api)
            #expect(check.transactionsFound == 1)
            #expect(check.transactionsDuplicated == 1)
            #expect(check.sampledValuesFound == BenchFrames.sampledKinds.count)
            #expect(check.sampledValuesDuplicated == BenchFrames.sampledKinds.count)
            #expect(!check.matches)
        }
    }

    @Test func frameHeaderMatchesAnswersAndReadsCalls() {
        let answer = ByteBuffer(string: #"[3, "4711", {"currentTime":"2026-01-01T00:00:00Z"}]"#)
        let header = OCPPFrameHeader(answer.readableBytesView)
        #expect(header?.messageType == 3)
        #expect(header?.id(equals: 4711) == true)
        #expect(header?.id(equals: 471) == false)

        let call = ByteBuffer(string: #"[2,"abc-1","RemoteStartTransaction",{"idTag":"X"}]"#)
        let callHeader = OCPPFrameHeader(call.readableBytesView)
        #expect(callHeader?.messageType == 2)
        #expect(callHeader?.id(equals: 1) == false)
        let view = call.readableBytesView
        #expect(callHeader?.action.map { String(decoding: view[$0], as: UTF8.self) } == "RemoteStartTransaction")
        #expect(OCPPFrameHeader(ByteBuffer(string: "not json").readableBytesView) == nil)
    }
}
