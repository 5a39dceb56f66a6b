/// A payload that breaks its JSON schema, or JSON that does not parse.
///
/// `path` names the offending field (`meterValue[0].sampledValue[2].unit`);
/// `code` is the CALLERROR code the specification gives for that kind of
/// violation (see `OCPPValidationError.Kind`).
public struct OCPPValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One step from a payload's root to the offending value.
    public enum PathComponent: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// What went wrong, which determines the error code.
    public enum Kind: Sendable, Hashable {
        /// The bytes are not JSON.
        case syntax
        /// A JSON type other than the schema's (`"12"` for an integer).
        case type
        /// A required property is absent, or an array has too few or too many items.
        case occurrence
        /// A value outside its constraints: enum, maxLength, minimum, format.
        case property
        /// A property the schema does not allow (`additionalProperties: false`).
        case unexpectedProperty
    }

    public var kind: Kind
    /// Outermost first.
    public var path: [PathComponent]
    public var reason: String

    public init(_ kind: Kind, _ reason: String, path: [PathComponent] = []) {
        self.kind = kind
        self.reason = reason
        self.path = path
    }

    /// The CALLERROR code for this violation (OCPP-J 1.6 §4.2.3, 2.0.1 §4.3).
    public var code: OCPPErrorCode {
        switch kind {
        case .syntax, .unexpectedProperty: .formatViolation
        case .type: .typeConstraintViolation
        case .occurrence: .occurrenceConstraintViolation
        case .property: .propertyConstraintViolation
        }
    }

    /// The path in dotted form, `""` for the payload itself.
    public var pathString: String {
        var text = ""
        for component in path {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    public var description: String {
        let where_ = pathString
        return where_.isEmpty ? reason : "\(where_): \(reason)"
    }

    /// The same error one level further out, under `key`.
    @inlinable
    public func at(_ key: String) -> OCPPValidationError {
        var copy = self
        copy.path.insert(.key(key), at: 0)
        return copy
    }

    /// The same error one level further out, at array `index`.
    @inlinable
    public func at(_ index: Int) -> OCPPValidationError {
        var copy = self
        copy.path.insert(.index(index), at: 0)
        return copy
    }

    static func missing(_ key: String) -> OCPPValidationError {
        OCPPValidationError(.occurrence, "required property is missing", path: [.key(key)])
    }
}

extension OCPPValidationError {
    /// A required property is absent.
    public static func missingProperty(_ key: String) -> OCPPValidationError { .missing(key) }

    /// A property the schema does not allow.
    public static func unexpectedProperty(_ key: String) -> OCPPValidationError {
        OCPPValidationError(.unexpectedProperty, "property is not allowed by the schema", path: [.key(key)])
    }
}
