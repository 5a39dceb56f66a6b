/// Counters of the group-committing writer, for tests and metrics.
public struct WriteStatistics: Sendable, Hashable {
    /// Writes that reached the database (committed or failed).
    public var writes: Int
    /// Transactions committed; fewer than `writes` when bursts shared commits.
    public var commits: Int
    /// Savepoints taken to keep one write's failure from failing the others of its batch.
    public var savepoints: Int
    /// Batches run a second time, each write in a savepoint, after a write failed in a first run
    /// without any (PostgreSQL).
    public var reruns: Int

    public init(writes: Int = 0, commits: Int = 0, savepoints: Int = 0, reruns: Int = 0) {
        self.writes = writes
        self.commits = commits
        self.savepoints = savepoints
        self.reruns = reruns
    }
}
