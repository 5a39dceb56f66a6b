import AmpereDomain
import Foundation
import OCPPCore
import Testing

@testable import AmpereServer

/// How a connection's frames become message log records: each answer named
/// by the action of the CALL it answers, in either direction, and an answer
/// sent to a received CALL logged from the call without parsing it again.
@Suite struct MessageLogRecorderTests {
    private typealias Log = MessageLogWriterTests.RecordingMessageLog

    private func recorder() -> (MessageLogRecorder, MessageLogWriter, Log) {
        let log = Log()
        let writer = MessageLogWriterTests.writer(log)
        return (MessageLogRecorder(stationId: "CP-1", writer: writer, now: { Date() }), writer, log)
    }

    private func written(_ writer: MessageLogWriter, _ log: Log) async -> [OCPPMessageRecord] {
        await writer.flush()
        return log.writes.withLock { $0.flatMap(\.records) }
    }

    private func call(_ text: String) throws -> OCPPCall {
        guard case .call(let call) = try OCPPMessage.parseDeferringPayload(Array(text.utf8)) else {
            throw OCPPFrameError(.protocolError, "not a CALL: \(text)")
        }
        return call
    }

    @Test func anAnswerSentToAReceivedCallIsLoggedWithTheCallsIdAndAction() async throws {
        let (recorder, writer, log) = recorder()
        let received = #"[2,"42","Heartbeat",{}]"#
        recorder.record(Array(received.utf8), direction: .received)
        let answer = #"[3,"42",{"currentTime":"2026-12-07T03:00:00Z"}]"#
        recorder.recordAnswer(Array(answer.utf8), to: try call(received))
        let records = await written(writer, log)
        #expect(records.map(\.messageType) == [2, 3])
        #expect(records.map(\.direction) == [.received, .sent])
        #expect(records.map(\.messageId) == ["42", "42"])
        #expect(records.map(\.action) == ["Heartbeat", "Heartbeat"])
        #expect(records.last?.frame == answer)
    }

    @Test func aCallErrorSentToAReceivedCallIsLoggedAsType4() async throws {
        let (recorder, writer, log) = recorder()
        let received = #"[2,"7","Authorize",{"idTag":""}]"#
        recorder.record(Array(received.utf8), direction: .received)
        recorder.recordAnswer(
            Array(#"[4,"7","PropertyConstraintViolation","idTag is empty",{}]"#.utf8), to: try call(received))
        let records = await written(writer, log)
        #expect(records.last?.messageType == 4)
        #expect(records.last?.action == "Authorize")
    }

    /// The call is forgotten once answered: a second answer with its id names no action.
    @Test func anAnsweredCallIsForgotten() async throws {
        let (recorder, writer, log) = recorder()
        let received = #"[2,"9","Heartbeat",{}]"#
        recorder.record(Array(received.utf8), direction: .received)
        recorder.recordAnswer(Array(#"[3,"9",{}]"#.utf8), to: try call(received))
        recorder.record(Array(#"[3,"9",{}]"#.utf8), direction: .sent)
        let records = await written(writer, log)
        #expect(records.map(\.action) == ["Heartbeat", "Heartbeat", nil])
    }

    /// Calls in the two directions may share an id: each answer takes its own call's action.
    @Test func callsOfTheSameIdInBothDirectionsAreTold() async throws {
        let (recorder, writer, log) = recorder()
        recorder.record(Array(#"[2,"1","Reset",{"type":"Soft"}]"#.utf8), direction: .sent)
        recorder.record(Array(#"[2,"1","Heartbeat",{}]"#.utf8), direction: .received)
        recorder.record(Array(#"[3,"1",{"status":"Accepted"}]"#.utf8), direction: .received)
        recorder.record(Array(#"[3,"1",{}]"#.utf8), direction: .sent)
        let records = await written(writer, log)
        #expect(records.map(\.action) == ["Reset", "Heartbeat", "Reset", "Heartbeat"])
    }
}
