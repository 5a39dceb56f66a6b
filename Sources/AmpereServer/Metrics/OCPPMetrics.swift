import Metrics
import OCPPCore

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

        /// How a call that failed with `error` ended; nil when it was never sent (an unknown
        /// action, a payload that breaks the schema, a cancelled caller).
        init?(failure error: any Error) {
            switch error {
            case is OCPPCallError: self = .callError
            case OCPPSessionError.timeout: self = .timeout
            case OCPPSessionError.closed: self = .closed
            case OCPPSessionError.invalidResponse: self = .invalidResponse
            default: return nil
            }
        }

        /// The charge point answered: its time says how fast it is (a timeout or a close does not).
        var isAnswer: Bool { self == .result || self == .callError || self == .invalidResponse }
    }

    static let callsSentLabel = "ampere_ocpp_calls_sent_total"
    static let answerLabel = "ampere_ocpp_call_answer_seconds"

    private struct SentKey: Hashable, Sendable {
        var action: String
        var outcome: CallOutcome
    }

    /// Series of sent calls, made at first use: the actions are the version's own (the session
    /// refuses any other before sending), so there are only so many.
    private let callsSent = MetricSeries<SentKey, Counter> {
        Counter(label: OCPPMetrics.callsSentLabel, dimensions: [("action", $0.action), ("outcome", $0.outcome.rawValue)])
    }
    private let answers = MetricSeries<String, Timer> {
        Timer(label: OCPPMetrics.answerLabel, dimensions: [("action", $0)])
    }

    /// Counts a call sent to a charge point, and times the answer when one came.
    func callSent(_ action: String, outcome: CallOutcome, after elapsed: Duration) {
        callsSent[SentKey(action: action, outcome: outcome)].increment()
        if outcome.isAnswer { answers[action].record(duration: elapsed) }
    }
}
