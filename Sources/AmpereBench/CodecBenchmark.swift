import Foundation
import Logging
import OCPP16
import OCPPCore

/// The protocol library's hot path on one core: a 1.6 MeterValues CALL with
/// ten sampled values is parsed, validated into typed values, dispatched to
/// a handler, and its CALLRESULT encoded.
public enum CodecBenchmark {
    /// The figures of one run.
    public struct Result: Sendable, Codable {
        public var scenario = "codec"
        public var frames: Int
        public var frameBytes: Int
        public var seconds: Double
        public var framesPerSecond: Double
        public var sampledValuesHandled: Int
    }

    /// A MeterValues CALL with `sampledValues` values in one meter value,
    /// as a charger sends it: energy, power, currents and voltages per phase, SoC.
    public static func meterValuesFrame(
        sampledValues: Int = 10, messageId: String = "5f1c9e0a-3b7d-4c2e-9a61-0d8e4f2b7c13",
        timestamp: String = "2026-11-21T10:15:30.123Z", transactionId: Int? = 4711
    ) -> [UInt8] {
        let kinds: [(String, String, String?, String)] = [
            ("Energy.Active.Import.Register", "Wh", nil, "123456.7"),
            ("Power.Active.Import", "W", nil, "11040"),
            ("Current.Import", "A", "L1", "16.0"), ("Current.Import", "A", "L2", "15.9"),
            ("Current.Import", "A", "L3", "16.1"),
            ("Voltage", "V", "L1-N", "230.1"), ("Voltage", "V", "L2-N", "229.8"), ("Voltage", "V", "L3-N", "231.0"),
            ("SoC", "Percent", nil, "47"), ("Temperature", "Celsius", nil, "31.5"),
        ]
        let values = (0..<sampledValues).map { i -> String in
            let (measurand, unit, phase, value) = kinds[i % kinds.count]
            let phaseField = phase.map { #","phase":"\#($0)""# } ?? ""
            return #"{"value":"\#(value)","context":"Sample.Periodic","format":"Raw","measurand":"\#(measurand)","location":"Outlet","unit":"\#(unit)"\#(phaseField)}"#
        }
        let transaction = transactionId.map { #","transactionId":\#($0)"# } ?? ""
        let frame = #"[2,"\#(messageId)","MeterValues",{"connectorId":1\#(transaction),"meterValue":[{"timestamp":"\#(timestamp)","sampledValue":[\#(values.joined(separator: ","))]}]}]"#
        return Array(frame.utf8)
    }

    /// Handles `frames` copies of the MeterValues frame and times them.
    public static func run(frames: Int, sampledValues: Int = 10) async -> Result {
        let counter = SampledValueCounter()
        var router = OCPPRouter<SampledValueCounter>.ocpp16()
        router.on(MeterValues.self) { request, counter in
            for meterValue in request.meterValue { counter.add(meterValue.sampledValue.count) }
            return MeterValuesResponse()
        }
        let logger = Logger(label: "ampere.bench.codec")
        let frame = meterValuesFrame(sampledValues: sampledValues)
        var answerBytes = 0
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<frames {
            guard case .call(let call) = try? OCPPMessage.parseDeferringPayload(frame) else { fatalError("benchmark frame does not parse") }
            let answer = await router.respond(to: call, context: counter, logger: logger)
            answerBytes &+= answer.count
        }
        let elapsed = clock.now - start
        let seconds = elapsed.inSeconds
        precondition(answerBytes > 0)
        return Result(
            frames: frames, frameBytes: frame.count, seconds: seconds, framesPerSecond: Double(frames) / seconds,
            sampledValuesHandled: counter.total)
    }
}

/// Counts what the handler saw, so the work cannot be optimized away.
final class SampledValueCounter: @unchecked Sendable {
    // Written from one task only: the benchmark loop is sequential.
    private(set) var total = 0
    func add(_ count: Int) { total += count }
}
