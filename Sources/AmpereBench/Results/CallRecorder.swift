import Histogram
import Synchronization

/// The round trips of one kind of call, from every station at once: answered
/// ones into an HdrHistogram (microseconds, 1 µs to 60 s, three significant
/// digits), CALLERRORs and timeouts counted apart. One shared histogram,
/// rather than one per station, keeps memory flat at tens of thousands of
/// stations; recording is a few instructions under an uncontended lock.
final class CallRecorder: Sendable {
    let name: String
    private let state = Mutex(State())

    private struct State {
        var histogram = Histogram<UInt64>(
            highestTrackableValue: CallRecorder.highest, numberOfSignificantValueDigits: .three)
        var errors = 0
        var timeouts = 0
    }

    static let highest: UInt64 = 60_000_000

    init(_ name: String) { self.name = name }

    /// Records a station call's outcome; true when it was answered with a CALLRESULT.
    @discardableResult
    func record(_ outcome: CallOutcome) -> Bool {
        switch outcome {
        case .result(_, let nanoseconds):
            recordLatency(nanoseconds: nanoseconds)
            return true
        case .error, .closed:
            recordError()
        case .timeout:
            recordTimeout()
        }
        return false
    }

    func recordLatency(nanoseconds: UInt64) {
        let micros = Swift.min(Swift.max(nanoseconds / 1000, 1), Self.highest)
        state.withLock { _ = $0.histogram.record(micros) }
    }

    func recordLatency(_ duration: Duration) {
        let parts = duration.components
        recordLatency(
            nanoseconds: UInt64(max(0, parts.seconds)) * 1_000_000_000 + UInt64(max(0, parts.attoseconds))
                / 1_000_000_000)
    }

    func recordError() { state.withLock { $0.errors += 1 } }
    func recordTimeout() { state.withLock { $0.timeouts += 1 } }

    /// Answered calls so far.
    var answered: Int { state.withLock { Int($0.histogram.totalCount) } }

    /// The figures of several recorders as one, e.g. every call of a scenario.
    static func combined(_ name: String, _ recorders: [CallRecorder], seconds: Double) -> CallFigures {
        var histogram = Histogram<UInt64>(highestTrackableValue: highest, numberOfSignificantValueDigits: .three)
        var errors = 0
        var timeouts = 0
        for recorder in recorders {
            recorder.state.withLock { state in
                histogram.add(state.histogram)
                errors += state.errors
                timeouts += state.timeouts
            }
        }
        let count = Int(histogram.totalCount)
        return CallFigures(
            call: name, count: count, perSecond: seconds > 0 ? Double(count) / seconds : 0, errors: errors,
            timeouts: timeouts, latencyMs: LoadResult.Latency(histogram: histogram))
    }

    /// The figures over a window of `seconds`.
    func figures(seconds: Double) -> CallFigures {
        state.withLock { state in
            let count = Int(state.histogram.totalCount)
            return CallFigures(
                call: name, count: count, perSecond: seconds > 0 ? Double(count) / seconds : 0, errors: state.errors,
                timeouts: state.timeouts, latencyMs: LoadResult.Latency(histogram: state.histogram))
        }
    }
}

/// The figures of one kind of call in a scenario's result.
public struct CallFigures: Sendable, Codable, Equatable {
    /// The OCPP action, a REST call, or a group such as `all`.
    public var call: String
    /// Calls answered with a result.
    public var count: Int
    public var perSecond: Double
    /// Answered with an error (CALLERROR, an HTTP error status) or the connection lost before an answer.
    public var errors: Int
    /// No answer within the timeout.
    public var timeouts: Int
    public var latencyMs: LoadResult.Latency
}

extension LoadResult.Latency {
    /// The percentiles of a histogram of microseconds.
    init(histogram: Histogram<UInt64>) {
        let empty = histogram.totalCount == 0
        func ms(_ percentile: Double) -> Double { empty ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000 }
        self.init(
            p50: ms(50), p90: ms(90), p99: ms(99), p999: ms(99.9), max: empty ? 0 : Double(histogram.max) / 1000)
    }
}
