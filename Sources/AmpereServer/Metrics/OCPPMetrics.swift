import Metrics
import Synchronization

/// The OCPP endpoint's metrics (Prometheus at /metrics).
struct OCPPMetrics: Sendable {
    let connections = Meter(label: "ampere_ocpp_connections")
    let framesReceived = Counter(label: "ampere_ocpp_frames_received_total")
    let framesSent = Counter(label: "ampere_ocpp_frames_sent_total")
    /// CALLs received, by action: one series per action the server handles, made up front, and one
    /// for any other (`other`), so that a charge point sending made-up actions adds no series.
    private let callsReceived: [String: Counter]
    private let otherCallsReceived: Counter

    static let callsReceivedLabel = "ampere_ocpp_calls_received_total"

    /// - Parameter actions: the actions the server handles.
    init(actions: [String]) {
        callsReceived = Dictionary(
            uniqueKeysWithValues: actions.map { ($0, Counter(label: Self.callsReceivedLabel, dimensions: [("action", $0)])) })
        otherCallsReceived = Counter(label: Self.callsReceivedLabel, dimensions: [("action", "other")])
    }

    func callReceived(_ action: String) {
        (callsReceived[action] ?? otherCallsReceived).increment()
    }

    /// How a call this server sent to a charge point ended.
    enum CallOutcome: String, Sendable {
        /// A CALLRESULT that fits the action's response schema.
        case result
        /// A CALLERROR.
        case callError = "call_error"
        /// A CALLRESULT that breaks the response schema.
        case invalidResponse = "invalid_response"
        /// No answer within the call's timeout.
        case timeout
        /// The connection closed before the answer came.
        case closed
    }

    static let callsSentLabel = "ampere_ocpp_calls_sent_total"
    static let answerLabel = "ampere_ocpp_call_answer_seconds"
    /// A charge point answers within milliseconds, or seconds on a slow link; a call may wait up to
    /// 300 s.
    static let answerBuckets: [Duration] =
        [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000]
        .map { Duration.microseconds(Int64($0 * 1000)) }

    /// Counters and timers of sent calls, made at first use: the actions are the version's own
    /// (the session refuses any other before sending), so the series are bounded.
    private let sent = SentCalls()

    /// Counts a call sent to a charge point, and times the answer when one came.
    func callSent(_ action: String, outcome: CallOutcome, after elapsed: Duration) {
        sent.record(action, outcome, elapsed)
    }

    private final class SentCalls: Sendable {
        struct Key: Hashable {
            var action: String
            var outcome: CallOutcome
        }

        private let counters = Mutex<[Key: Counter]>([:])
        private let timers = Mutex<[String: Timer]>([:])

        func record(_ action: String, _ outcome: CallOutcome, _ elapsed: Duration) {
            let key = Key(action: action, outcome: outcome)
            let counter = counters.withLock { counters in
                if let existing = counters[key] { return existing }
                let made = Counter(
                    label: OCPPMetrics.callsSentLabel, dimensions: [("action", action), ("outcome", outcome.rawValue)])
                counters[key] = made
                return made
            }
            counter.increment()
            // Only an answer times the charge point: a timeout or a close says nothing of it.
            guard outcome == .result || outcome == .callError || outcome == .invalidResponse else { return }
            let timer = timers.withLock { timers in
                if let existing = timers[action] { return existing }
                let made = Timer(label: OCPPMetrics.answerLabel, dimensions: [("action", action)])
                timers[action] = made
                return made
            }
            timer.record(duration: elapsed)
        }
    }
}
