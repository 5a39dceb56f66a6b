import Synchronization

/// A count that station tasks share.
final class Counter: Sendable {
    private let value = Atomic(0)

    func add(_ amount: Int = 1) { value.add(amount, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}
