import Foundation

/// A fleet of charge points that differ only in their ids.
public struct SimulatorConfiguration: Sendable {
    /// How many charge points.
    public var count: Int
    /// Ids are the prefix, a dash and a five-digit number: `SIM-00001`, `SIM-00002`, ….
    public var idPrefix: String
    /// Everything else every charge point shares (its id is replaced).
    public var template: ChargePointConfiguration
    /// New connections per second while the fleet starts, so that it does not
    /// arrive as one burst; nil for all at once.
    public var connectRate: Double?

    public init(count: Int, idPrefix: String, template: ChargePointConfiguration, connectRate: Double? = nil) {
        self.count = max(0, count)
        self.idPrefix = idPrefix
        self.template = template
        self.connectRate = connectRate
    }

    /// The id of charge point `index` (0-based).
    public func id(at index: Int) -> String {
        idPrefix + "-" + String(format: "%05d", index + 1)
    }
}
