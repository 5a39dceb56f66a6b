/// One configuration key of OCPP 1.6 §9 that the simulated charge point has.
struct ConfigurationKey: Sendable {
    /// What a value must look like.
    enum Kind: Sendable {
        case boolean
        /// A whole number of at least 0.
        case integer
        /// A comma-separated list of measurands the meter can sample, at most this many.
        case measurands(maxItems: Int)
        case text
    }

    let name: String
    let kind: Kind
    let readonly: Bool
    /// A change is stored but answered RebootRequired: it takes effect after a reboot.
    let rebootRequired: Bool

    init(_ name: String, _ kind: Kind, readonly: Bool = false, rebootRequired: Bool = false) {
        self.name = name
        self.kind = kind
        self.readonly = readonly
        self.rebootRequired = rebootRequired
    }

    /// True when `value` is acceptable for this key.
    func accepts(_ value: String) -> Bool {
        switch kind {
        case .boolean: return ["true", "false"].contains(value.lowercased())
        case .integer: return Int(value).map { $0 >= 0 } ?? false
        case .text: return value.count <= 500
        case .measurands(let maxItems):
            let items = ConfigurationStore.list(value)
            return items.count <= maxItems && items.allSatisfy { MeterSampler.supported.contains($0) }
        }
    }
}
