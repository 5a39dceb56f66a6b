import AmpereBench
import OCPP16
import OCPPCore
import Testing

/// A small run of the codec scenario checks its own bookkeeping, never a timing.
@Suite struct CodecBenchmarkTests {
    @Test func everyFrameIsHandledAndEveryValueCounted() async throws {
        let result = await CodecBenchmark.run(frames: 500)
        #expect(result.frames == 500)
        #expect(result.sampledValuesHandled == 500 * 10)
        #expect(result.framesPerSecond > 0)
    }

    @Test func benchmarkFrameIsAValidMeterValuesCall() throws {
        let frame = CodecBenchmark.meterValuesFrame(sampledValues: 10)
        guard case .call(let call) = try OCPPMessage.parse(frame) else {
            Issue.record("not a CALL")
            return
        }
        #expect(call.action == "MeterValues")
        let request = try call.payload.decode(as: MeterValuesRequest.self)
        #expect(request.meterValue[0].sampledValue.count == 10)
        #expect(Set(request.meterValue[0].sampledValue.compactMap(\.phase)).count == 6)
    }
}
