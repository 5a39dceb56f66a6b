/// Counters of the group-committing writer, for tests and metrics.
public struct WriteStatistics: Sendable, Hashable {
    /// Writes that reached the database (committed or failed).
    public var writes: Int
    /// Transactions committed; fewer than `writes` when bursts shared commits.
    public var commits: Int

    public init(writes: Int = 0, commits: Int = 0) {
        self.writes = writes
        self.commits = commits
    }
}
