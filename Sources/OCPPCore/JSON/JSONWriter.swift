import Foundation

/// Appends compact JSON to a byte buffer, for generated encoders.
///
/// Commas are placed from the last byte written: `key(_:)` and `element()`
/// add one unless they follow `{` or `[`.
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public var bytes: [UInt8]

    @inlinable
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inlinable
    mutating func commaIfNeeded() {
        if let last = bytes.last, last != UInt8(ascii: "{"), last != UInt8(ascii: "[") {
            bytes.append(UInt8(ascii: ","))
        }
    }

    @inlinable public mutating func beginObject() { bytes.append(UInt8(ascii: "{")) }
    @inlinable public mutating func endObject() { bytes.append(UInt8(ascii: "}")) }
    @inlinable public mutating func beginArray() { bytes.append(UInt8(ascii: "[")) }
    @inlinable public mutating func endArray() { bytes.append(UInt8(ascii: "]")) }

    /// Starts the next array element.
    @inlinable public mutating func element() { commaIfNeeded() }

    /// Writes `"key":`; `key` must need no escaping.
    @inlinable
    public mutating func key(_ key: StaticString) {
        commaIfNeeded()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes `"key":` for any key.
    @inlinable
    public mutating func key(_ key: String) {
        commaIfNeeded()
        string(key)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes raw, already valid JSON.
    @inlinable
    public mutating func raw<Bytes: Sequence>(_ json: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: json)
    }

    @inlinable
    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var runStart = 0
            for i in 0..<utf8.count {
                let c = utf8[i]
                guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
                if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                appendEscape(c)
                runStart = i + 1
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    @usableFromInline
    mutating func appendEscape(_ c: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch c {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(c >> 4)], hex[Int(c & 0xF)]])
        }
    }

    @inlinable
    public mutating func int(_ value: Int) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(20 - count)...]))
        }
    }

    @inlinable
    public mutating func decimal(_ value: Decimal) {
        bytes.append(contentsOf: value.description.utf8)
    }

    @inlinable
    public mutating func bool(_ value: Bool) {
        // StaticStrings, not array literals: a Swift 6.3.1 release build of a
        // client module (AmpereServer) wrote `true` for false and `false` for
        // true when this used two constant arrays, which the optimizer mixed up.
        literal(value ? "true" : "false")
    }

    @inlinable
    public mutating func null() { literal("null") }

    /// Appends `text`, which must be valid JSON as it is.
    @inlinable
    public mutating func literal(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Writes an OCPP dateTime: ISO 8601 UTC with milliseconds.
    @inlinable
    public mutating func date(_ value: Date) {
        bytes.append(UInt8(ascii: "\""))
        OCPPDateTime.format(value, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }
}
