/// One page of a list, with the total number of items the list has.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int

    public init(items: [Item], total: Int) {
        self.items = items
        self.total = total
    }
}

/// Which part of a list to return.
public struct PageRequest: Sendable, Hashable {
    public var limit: Int
    public var offset: Int

    public static let maxLimit = 1000

    public init(limit: Int = 50, offset: Int = 0) {
        self.limit = min(max(limit, 0), Self.maxLimit)
        self.offset = max(offset, 0)
    }
}
