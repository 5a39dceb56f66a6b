import Foundation

/// The schema constraints that generated decoders check after reading a value.
public enum OCPPConstraints {
    /// `maxLength`, counted in Unicode code points as JSON Schema counts.
    @inlinable
    public static func maxLength(_ value: String, _ limit: Int) throws(OCPPValidationError) {
        // UTF-8 never has fewer bytes than code points: most values pass here.
        if value.utf8.count <= limit { return }
        let length = value.unicodeScalars.count
        if length > limit {
            throw OCPPValidationError(.property, "string of length \(length) exceeds maxLength \(limit)")
        }
    }

    @inlinable
    public static func minimum<N: Comparable>(_ value: N, _ bound: N) throws(OCPPValidationError) {
        if value < bound { throw OCPPValidationError(.property, "\(value) is less than the minimum \(bound)") }
    }

    @inlinable
    public static func maximum<N: Comparable>(_ value: N, _ bound: N) throws(OCPPValidationError) {
        if value > bound { throw OCPPValidationError(.property, "\(value) is greater than the maximum \(bound)") }
    }

    /// `multipleOf`, exact in decimal arithmetic (OCPP 1.6 limits are multiples of 0.1).
    public static func multipleOf(_ value: Decimal, _ factor: Decimal) throws(OCPPValidationError) {
        var quotient = value / factor
        var rounded = Decimal()
        NSDecimalRound(&rounded, &quotient, 0, .plain)
        if rounded != quotient {
            throw OCPPValidationError(.property, "\(value) is not a multiple of \(factor)")
        }
    }

    /// `minItems` and `maxItems`.
    @inlinable
    public static func itemCount(_ count: Int, min: Int?, max: Int?) throws(OCPPValidationError) {
        if let min, count < min {
            throw OCPPValidationError(.occurrence, "array has \(count) items, fewer than minItems \(min)")
        }
        if let max, count > max {
            throw OCPPValidationError(.occurrence, "array has \(count) items, more than maxItems \(max)")
        }
    }
}

extension JSONReader {
    /// Reads a `format: date-time` string.
    @inlinable
    public mutating func readDate() throws(OCPPValidationError) -> Date {
        let raw = try readRawString()
        let date: Date?
        if raw.escaped {
            date = OCPPDateTime.parse(try raw.decoded())
        } else {
            date = OCPPDateTime.parse(raw.raw)
        }
        guard let date else { throw OCPPValidationError(.property, "not an ISO 8601 date-time") }
        return date
    }
}
