import AmpereDomain
import AmpereStorage

/// A fresh database that can be opened, closed and opened again.
struct TestDatabase: Sendable {
    var open: @Sendable () async throws -> OpenStorage
    /// Removes the database for good.
    var destroy: @Sendable () async throws -> Void
}

/// One opening of a `TestDatabase`.
struct OpenStorage: Sendable {
    var storage: Storage
    var close: @Sendable () async throws -> Void
    /// Present on backends with a group-committing writer.
    var statistics: @Sendable () -> WriteStatistics?
}
