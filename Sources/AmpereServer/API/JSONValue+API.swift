import Foundation
import OCPPCore

/// Building and reading the REST API's JSON, where an absent value is `null`.
extension JSONValue {
    /// The string, or null.
    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// The integer, or null.
    static func integer(_ value: Int?) -> JSONValue { value.map { .number(Decimal($0)) } ?? .null }

    /// The number as Swift prints it (the shortest text that reads back the same), or null.
    static func double(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite, let decimal = Decimal(string: "\(value)") else { return .null }
        return .number(decimal)
    }

    /// The date as ISO 8601 UTC with milliseconds (`2025-01-02T03:04:05.678Z`), or null.
    static func timestamp(_ value: Date?) -> JSONValue { value.map { .string(OCPPDateTime.format($0)) } ?? .null }

    /// The value as an `Int`, when it is a number with no fraction that fits one.
    var integerValue: Int? {
        guard case .number(let number) = self, number.isFinite else { return nil }
        var rounded = Decimal()
        var copy = number
        NSDecimalRound(&rounded, &copy, 0, .plain)
        guard rounded == number else { return nil }
        // Through text, so that a value out of Int's range gives nil rather than a wrapped number.
        return Int(rounded.description)
    }

    /// The JSON type's name, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
