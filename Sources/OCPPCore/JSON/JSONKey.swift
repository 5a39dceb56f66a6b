import Foundation

/// A string as it stands in the input, before unescaping: an object key or
/// a string value that a decoder matches against known spellings.
public struct JSONKey {
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline let start: Int
    @usableFromInline let end: Int
    /// True when the raw text holds backslash escapes.
    public let escaped: Bool

    @inlinable
    init(bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int, escaped: Bool) {
        self.bytes = bytes
        self.start = start
        self.end = end
        self.escaped = escaped
    }

    /// The raw bytes between the quotes.
    @inlinable
    public var raw: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[start..<end]) }

    /// True when the (unescaped) text equals `literal`.
    @inlinable
    public func equals(_ literal: StaticString) -> Bool {
        if escaped { return (try? decoded()) == literal.description }
        let count = literal.utf8CodeUnitCount
        guard end - start == count else { return false }
        return memcmp(bytes.baseAddress! + start, literal.utf8Start, count) == 0
    }

    /// True when the (unescaped) text equals `bytes`.
    @inlinable
    public func equals(_ other: [UInt8]) -> Bool {
        if escaped { return (try? decoded()).map { Array($0.utf8) == other } ?? false }
        guard end - start == other.count else { return false }
        return other.withUnsafeBufferPointer { memcmp(bytes.baseAddress! + start, $0.baseAddress!, other.count) == 0 }
    }

    @inlinable
    public static func ~= (pattern: StaticString, key: JSONKey) -> Bool { key.equals(pattern) }

    /// The unescaped text.
    @inlinable
    public func decoded() throws(OCPPValidationError) -> String {
        if !escaped { return String(decoding: raw, as: UTF8.self) }
        return try JSONKey.unescape(raw)
    }

    @usableFromInline
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws(OCPPValidationError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func fail() -> OCPPValidationError { OCPPValidationError(.syntax, "invalid JSON: bad escape in string") }
        func hex4(_ at: Int) throws(OCPPValidationError) -> UInt32 {
            guard at + 4 <= raw.count else { throw fail() }
            var value: UInt32 = 0
            for k in at..<at + 4 {
                let c = raw[k]
                let digit: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
                default: throw fail()
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while i < raw.count {
            let c = raw[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < raw.count else { throw fail() }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(i)
                i += 4
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= raw.count,
                    raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u")
                {
                    let low = try hex4(i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                // A lone surrogate has no UTF-8 form: replace it, as JSON parsers commonly do.
                let unicode = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw fail()
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
