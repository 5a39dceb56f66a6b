import Synchronization

extension Mutex where Value: RangeReplaceableCollection {
    /// Empties the collection and returns what it held, keeping its capacity for what comes next.
    func takeAll() -> Value {
        withLock { items in
            defer { items.removeAll(keepingCapacity: true) }
            return items
        }
    }
}
