import Synchronization

/// The drivers of a simulated fleet, known by their tags. A driver charges at one
/// connector at a time: a tag in a session here is not drawn for another arrival, which
/// the central system would otherwise answer ConcurrentTx (OCPP 1.6 §7.2, AuthorizationStatus) and the
/// charge point would stop at once. Charge points made from one configuration share it.
public final class DriverTags: Sendable {
    private let inUse = Mutex<Set<String>>([])

    public init() {}

    /// A tag of `tags` that no session holds, now held until `release(_:)`; nil when every
    /// one is in a session.
    func take(from tags: [String]) -> String? {
        inUse.withLock { held in
            guard let tag = tags.filter({ !held.contains($0) }).randomElement() else { return nil }
            held.insert(tag)
            return tag
        }
    }

    /// The session that held `tag` ended.
    func release(_ tag: String) {
        _ = inUse.withLock { $0.remove(tag) }
    }

    /// Tags in a session now.
    public var held: Int { inUse.withLock { $0.count } }
}
