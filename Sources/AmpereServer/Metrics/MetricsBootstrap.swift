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
            factory.durationHistogramBuckets[APIMetricsMiddleware.durationLabel] = APIMetricsMiddleware.durationBuckets
            factory.durationHistogramBuckets[OCPPMetrics.answerLabel] = OCPPMetrics.answerBuckets
            MetricsSystem.bootstrap(factory)
            existing = registry
            return registry
        }
    }

    /// The Prometheus text exposition of every metric.
    static func render() -> String {
        var buffer: [UInt8] = []
        registry().emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
