import Metrics

/// The OCPP endpoint's metrics (Prometheus at /metrics).
struct OCPPMetrics: Sendable {
    let connections = Meter(label: "ampere_ocpp_connections")
    let framesReceived = Counter(label: "ampere_ocpp_frames_received_total")
    let framesSent = Counter(label: "ampere_ocpp_frames_sent_total")
}
