import Metrics

/// A writer's counters on `/metrics`, labelled with the writer (`data` for
/// the stations' data, `message_log` for the frames): what an operator
/// watches to see the database keep up, or stop answering.
struct WriterMetrics: Sendable {
    /// Writes answered, committed or not.
    let writes: Counter
    /// Writes answered with an error because their whole batch failed (no connection, no transaction).
    let failedWrites: Counter
    let commits: Counter
    /// Batches run again one write per savepoint after one of their writes failed (PostgreSQL).
    let reruns: Counter

    init(writer: String) {
        let dimensions = [("writer", writer)]
        writes = Counter(label: "ampere_storage_writes_total", dimensions: dimensions)
        failedWrites = Counter(label: "ampere_storage_failed_writes_total", dimensions: dimensions)
        commits = Counter(label: "ampere_storage_commits_total", dimensions: dimensions)
        reruns = Counter(label: "ampere_storage_reruns_total", dimensions: dimensions)
        // Made with the first writer rather than at its first increment, so that `/metrics` shows
        // it at 0 from the start and an alert on it has a series to watch.
        _ = Self.unavailable
    }

    /// Units of work that got no database connection in time (`StorageError.unavailable`), any writer or reader.
    static let unavailable = Counter(label: "ampere_storage_unavailable_total")
}
