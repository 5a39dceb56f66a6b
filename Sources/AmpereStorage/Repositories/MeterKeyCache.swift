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

    /// The kinds of `ids` known here, and the ids that are not. A `meter_kinds` row never changes
    /// once written, so whatever node wrote it, what is known stays true (and there are a few
    /// dozen kinds at most: the map is turned around on each call).
    func kinds(_ ids: Set<Int>) -> (known: [Int: MeterKind], missing: [Int]) {
        let byId = Dictionary(keys.withLock { $0.kinds }.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var known: [Int: MeterKind] = [:]
        var missing: [Int] = []
        for id in ids {
            if let kind = byId[id] { known[id] = kind } else { missing.append(id) }
        }
        return (known, missing)
    }
}
