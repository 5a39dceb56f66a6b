import Foundation
import SQLKit

/// Typed column reads that turn every decoding failure into a `StorageError`.
extension SQLRow {
    func value<T: Decodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        do {
            return try decode(column: column, as: T.self)
        } catch {
            throw StorageError(.unexpectedData, reason: "column \(column): \(error)")
        }
    }

    func date(_ column: String) throws -> Date { Millis.date(try value(column, as: Int.self)) }

    func optionalDate(_ column: String) throws -> Date? { try value(column, as: Int?.self).map(Millis.date) }

    /// A column holding an enum's raw string.
    func rawValue<E: RawRepresentable>(_ column: String, as type: E.Type) throws -> E where E.RawValue == String {
        let raw = try value(column, as: String.self)
        guard let result = E(rawValue: raw) else {
            throw StorageError(.unexpectedData, reason: "column \(column): unknown value '\(raw)'")
        }
        return result
    }
}
