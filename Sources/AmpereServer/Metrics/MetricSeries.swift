import Synchronization

/// Metrics of one name, made once per key of their labels and kept. swift-metrics finds an
/// existing series again on every construction, but through the registry's lock and a check of
/// every name and label each time: too much for each REST request or call to a charge point.
final class MetricSeries<Key: Hashable & Sendable, Metric: Sendable>: Sendable {
    private let make: @Sendable (Key) -> Metric
    private let made = Mutex<[Key: Metric]>([:])

    /// `make` builds the metric of a key the first time it is asked for.
    init(make: @escaping @Sendable (Key) -> Metric) {
        self.make = make
    }

    subscript(key: Key) -> Metric {
        made.withLock { made in
            if let metric = made[key] { return metric }
            let metric = make(key)
            made[key] = metric
            return metric
        }
    }
}
