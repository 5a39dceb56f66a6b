import Metrics

/// A cluster node's metrics (Prometheus at /metrics): what the other nodes look
/// like from here, and how long each step of a routed command takes.
struct ClusterMetrics: Sendable {
    /// The steps of a routed command, each timed where it happens. `stored` and `answered` are the
    /// routed part of a command as the node the REST request came to sees it; the holder's `station`
    /// (the station's own answer) is within `answered`, so routing adds the rest.
    enum Step: String, CaseIterable, Sendable {
        /// On the origin: the statement that stores the call and notifies the holder, until answered.
        case stored
        /// On the origin: from then until the holder's outcome is here (the holder's own steps included).
        case answered
        /// On the holder: the call on the station's socket, until the station answered or it failed.
        case station
        /// On the holder: the statement that stores the outcome and notifies the origin.
        case outcomeStored = "outcome_stored"
    }

    static let stepLabel = "ampere_cluster_routed_call_step_seconds"

    /// Histogram buckets for the steps: a step takes a fraction of a millisecond on a quiet cluster,
    /// and the longest a call may wait for its station is 300 s.
    static let stepBuckets = MetricsBootstrap.buckets(milliseconds: [
        0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 50, 100, 250, 500, 1000, 2500, 10000, 60000, 300000,
    ])

    private let steps: [Step: Timer]
    /// Commands this node routed to another node, and those whose outcome never came back (a station
    /// that did not answer is an outcome, the holder's 504, counted where the call was sent).
    let routed = Counter(label: "ampere_cluster_routed_calls_total")
    let timedOut = Counter(label: "ampere_cluster_routed_call_timeouts_total")
    /// Commands other nodes routed here that ran on a station's socket.
    let ran = Counter(label: "ampere_cluster_calls_run_for_others_total")
    /// Times the node listened again, and caught up from the tables, after its listening connection was lost.
    let resynchronized = Counter(label: "ampere_cluster_resynchronizations_total")
    /// Nodes whose lease is running, this one included, and the stations they hold but this one.
    let liveNodes = Gauge(label: "ampere_cluster_live_nodes")
    let remoteStations = Gauge(label: "ampere_cluster_remote_stations")

    init() {
        steps = Dictionary(
            uniqueKeysWithValues: Step.allCases.map {
                ($0, Timer(label: Self.stepLabel, dimensions: [("step", $0.rawValue)]))
            })
    }

    func record(_ step: Step, _ duration: Duration) {
        steps[step]?.record(duration: duration)
    }
}
