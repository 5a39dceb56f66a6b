import Metrics
import Prometheus
import Synchronization

/// The process-wide Prometheus registry behind swift-metrics; bootstrapped
/// once per process (tests start several servers in one process).
enum MetricsBootstrap {
    private static let shared = Mutex<PrometheusCollectorRegistry?>(nil)

    static func registry() -> PrometheusCollectorRegistry {
        shared.withLock { existing in
            if let existing { return existing }
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.durationHistogramBuckets[ClusterMetrics.stepLabel] = ClusterMetrics.stepBuckets
            factory.durationHistogramBuckets[APIMetricsMiddleware.durationLabel] = Self.callBuckets
            factory.durationHistogramBuckets[OCPPMetrics.answerLabel] = Self.callBuckets
            MetricsSystem.bootstrap(factory)
            existing = registry
            return registry
        }
    }

    /// Histogram buckets of a REST request and of a charge point's answer: most take a millisecond
    /// or less, a slow link seconds, and a call may wait for its station up to 300 s.
    static let callBuckets = buckets(milliseconds: [
        0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000,
    ])

    /// Histogram buckets at these upper bounds.
    static func buckets(milliseconds: [Double]) -> [Duration] {
        milliseconds.map { Duration.microseconds(Int64($0 * 1000)) }
    }

    /// The Prometheus text exposition of every metric.
    static func render() -> String {
        var buffer: [UInt8] = []
        registry().emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
