import Synchronization

/// The ids of meter kinds and series known to be committed, so that a batch
/// of values usually needs no lookups before its insert.
///
/// Only ids of committed rows may enter: an id learned in a write that was
/// then rolled back would point at nothing.
final class MeterKeyCache: Sendable {
    struct Keys: Sendable {
        var kinds: [MeterKind: Int] = [:]
        var series: [MeterSeries: Int] = [:]
    }

    /// Series grow with transactions; past this many the cache starts over.
    static let maxSeries = 10_000

    private let keys = Mutex(Keys())

    var snapshot: Keys { keys.withLock { $0 } }

    /// Adds ids read or created by a write that has committed.
    func learn(_ learned: Keys) {
        keys.withLock { keys in
            if keys.series.count + learned.series.count > Self.maxSeries { keys.series.removeAll() }
            keys.kinds.merge(learned.kinds) { _, new in new }
            keys.series.merge(learned.series) { _, new in new }
        }
    }
}
