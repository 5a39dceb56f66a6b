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
        kindsById.withLock { byId in
            for (kind, id) in learned.kinds { byId[id] = kind }
        }
    }

    /// Kinds by id, for reads: a `meter_kinds` row never changes once written, so what any
    /// node wrote can be kept here for good (there are a few dozen kinds at most).
    private let kindsById = Mutex<[Int: MeterKind]>([:])

    /// The kinds of `ids` known here, and the ids that are not.
    func kinds(_ ids: Set<Int>) -> (known: [Int: MeterKind], missing: [Int]) {
        kindsById.withLock { byId in
            var known: [Int: MeterKind] = [:]
            var missing: [Int] = []
            for id in ids {
                if let kind = byId[id] { known[id] = kind } else { missing.append(id) }
            }
            return (known, missing)
        }
    }

    /// Adds kinds read from the database.
    func learnKinds(_ read: [Int: MeterKind]) {
        kindsById.withLock { $0.merge(read) { _, new in new } }
    }
}
