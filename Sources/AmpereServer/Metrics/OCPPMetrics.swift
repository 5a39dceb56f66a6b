import Metrics

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
}
