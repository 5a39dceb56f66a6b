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
        if escaped { return escapedEquals(literal.description) }
        let count = literal.utf8CodeUnitCount
        guard end - start == count else { return false }
        return Self.same(bytes.baseAddress! + start, literal.utf8Start, count)
    }

    /// True when the (unescaped) text equals the `count` bytes at `other`.
    @inlinable
    public func equals(_ other: UnsafePointer<UInt8>, count: Int) -> Bool {
        if escaped { return escapedEquals(String(decoding: UnsafeBufferPointer(start: other, count: count), as: UTF8.self)) }
        guard end - start == count else { return false }
        return Self.same(bytes.baseAddress! + start, other, count)
    }

    @usableFromInline
    func escapedEquals(_ text: String) -> Bool { (try? decoded()) == text }

    /// Byte equality without a libc call for the short strings OCPP uses.
    @inlinable
    static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        while i + 8 <= count {
            if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self)
                != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
            {
                return false
            }
            i += 8
        }
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
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
                // OCPP's strings hold printable characters (1.6 §7 CiString types), and PostgreSQL's text
                // cannot hold U+0000 at all: refused here, it is refused alike on either database.
                if scalar == 0 {
                    throw OCPPValidationError(.property, "a string may not hold U+0000 (NUL)")
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
