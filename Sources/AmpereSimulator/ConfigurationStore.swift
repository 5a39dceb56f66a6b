import Foundation
import OCPP16

/// The charge point's configuration keys (OCPP 1.6 §9: Core, Local Auth List
/// Management, Reservation and Smart Charging profiles) and the rules of
/// GetConfiguration and ChangeConfiguration.
struct ConfigurationStore: Sendable {
    /// The keys, in the order GetConfiguration lists them; shared by every
    /// charge point, which keeps only its values (a fleet has tens of thousands).
    static let keys: [ConfigurationKey] = table.map(\.key)
    private static let defaults: [String] = table.map(\.value)
    /// Positions by lowercase name: keys are matched without regard to case.
    private static let index: [String: Int] = Dictionary(
        uniqueKeysWithValues: keys.enumerated().map { ($0.element.name.lowercased(), $0.offset) })

    private var values: [String]

    init(connectors: Int, meterValueSampleInterval: Double, heartbeatInterval: Int) {
        values = Self.defaults
        set("NumberOfConnectors", to: String(connectors))
        set("ConnectorPhaseRotationMaxLength", to: String(connectors + 1))
        set("ConnectorPhaseRotation", to: (0...connectors).map { "\($0).RST" }.joined(separator: ","))
        set("MeterValueSampleInterval", to: Self.seconds(meterValueSampleInterval))
        set("HeartbeatInterval", to: String(heartbeatInterval))
    }

    /// GetConfiguration (OCPP 1.6 §5.8): every key when none is named;
    /// names the charge point does not know come back in `unknownKey`.
    func get(_ names: [String]?) -> GetConfigurationResponse {
        let requested = names ?? []
        let found = requested.isEmpty ? Array(Self.keys.indices) : requested.compactMap(position(of:))
        let unknown = requested.filter { position(of: $0) == nil }
        return GetConfigurationResponse(
            configurationKey: found.map {
                .init(key: Self.keys[$0].name, readonly: Self.keys[$0].readonly, value: values[$0])
            },
            unknownKey: unknown.isEmpty ? nil : unknown)
    }

    /// ChangeConfiguration (OCPP 1.6 §5.3): NotSupported for an unknown key,
    /// Rejected for a read-only key or a bad value, RebootRequired for a key
    /// that only a reboot applies (the value is stored all the same).
    mutating func change(_ name: String, to value: String) -> ChangeConfigurationResponse.Status {
        guard let position = position(of: name) else { return .notSupported }
        let key = Self.keys[position]
        guard !key.readonly, key.accepts(value) else { return .rejected }
        values[position] = Self.normalized(value, for: key)
        return key.rebootRequired ? .rebootRequired : .accepted
    }

    /// Sets a value the charge point decides itself (a heartbeat interval
    /// from BootNotification, a preset), read-only keys included.
    @discardableResult
    mutating func set(_ name: String, to value: String) -> Bool {
        // MeterValueSampleInterval may hold fractions set here (see ChargePointConfiguration).
        guard let position = position(of: name),
            Self.keys[position].accepts(value) || (name == "MeterValueSampleInterval" && Double(value) != nil)
        else { return false }
        values[position] = Self.normalized(value, for: Self.keys[position])
        return true
    }

    /// The value of a key, as text.
    func value(_ name: String) -> String? { position(of: name).map { values[$0] } }

    /// A boolean key; false when missing or not a boolean.
    func bool(_ name: String) -> Bool { value(name)?.lowercased() == "true" }

    /// A whole-number key; `fallback` when missing.
    func int(_ name: String, or fallback: Int) -> Int { value(name).flatMap { Int($0) } ?? fallback }

    /// A number of seconds (fractions allowed, see `ChargePointConfiguration`).
    func seconds(_ name: String) -> Double { value(name).flatMap { Double($0) } ?? 0 }

    /// A comma-separated list key, its items trimmed, empty items left out.
    func list(_ name: String) -> [String] { Self.list(value(name) ?? "") }

    private func position(of name: String) -> Int? { Self.index[name.lowercased()] }

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func normalized(_ value: String, for key: ConfigurationKey) -> String {
        switch key.kind {
        case .boolean: value.lowercased()
        case .measurands: list(value).joined(separator: ",")
        case .integer, .text: value
        }
    }

    /// Whole seconds as an integer, fractions kept as written.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
