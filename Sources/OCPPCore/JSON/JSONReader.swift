import Foundation

/// A pull parser over UTF-8 JSON bytes, for generated decoders.
///
/// It reads values in place, without building a tree: keys are compared as
/// bytes, enum values are matched without allocating, and only the strings a
/// payload keeps become `String`s. Every method throws an
/// `OCPPValidationError` that names what was expected, so that a decoder
/// which calls it validates as it decodes.
///
/// A reader points into memory it does not own: use it only inside
/// `JSONReader.withReader(_:_:)`.
public struct JSONReader {
    /// The JSON type of the next value.
    public enum Kind: Sendable, Equatable {
        case object, array, string, number, bool, null, end, invalid
    }

    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline var index: Int
    /// True right after `{` or `[`: the next member needs no comma. Every
    /// complete value leaves it false, so one flag serves all nesting levels.
    @usableFromInline var atFirstMember = false
    /// Nesting limit for untyped values, so hostile input cannot exhaust the stack.
    @usableFromInline static let maxDepth = 64

    @inlinable
    init(_ bytes: UnsafeBufferPointer<UInt8>, start: Int = 0) {
        self.bytes = bytes
        self.index = start
    }

    /// Runs `body` with a reader over `bytes`.
    @inlinable
    public static func withReader<Bytes: Collection, R, E: Error>(
        _ bytes: Bytes,
        _ body: (inout JSONReader) throws(E) -> R
    ) throws(E) -> R where Bytes.Element == UInt8 {
        if let result = try withContiguous(bytes, body) { return result }
        return try withContiguous(Array(bytes), body)!
    }

    @inlinable
    static func withContiguous<Bytes: Collection, R, E: Error>(
        _ bytes: Bytes,
        _ body: (inout JSONReader) throws(E) -> R
    ) throws(E) -> R? where Bytes.Element == UInt8 {
        // withContiguousStorageIfAvailable is untyped-throws; carry the typed error out.
        var failure: E?
        let result: R?? = bytes.withContiguousStorageIfAvailable { buffer -> R? in
            var reader = JSONReader(buffer)
            do throws(E) {
                return try body(&reader)
            } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        guard let result else { return nil }
        return result
    }

    /// The byte offset of the next unread byte.
    @inlinable public var offset: Int { index }

    // MARK: - Whitespace and lookahead

    @inlinable
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// The kind of the next value, after whitespace.
    @inlinable
    public mutating func peekKind() -> Kind {
        skipWhitespace()
        guard index < bytes.count else { return .end }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: return .invalid
        }
    }

    /// Fails unless only whitespace is left.
    @inlinable
    public mutating func expectEnd() throws(OCPPValidationError) {
        skipWhitespace()
        if index != bytes.count { throw syntaxError("unexpected data after the JSON value") }
    }

    @usableFromInline
    func syntaxError(_ reason: String) -> OCPPValidationError {
        OCPPValidationError(.syntax, "invalid JSON at byte \(index): \(reason)")
    }

    @usableFromInline
    mutating func typeError(expected: String) -> OCPPValidationError {
        let found = peekKind()
        if found == .invalid || found == .end { return syntaxError("expected a value") }
        return OCPPValidationError(.type, "expected \(expected), found \(Self.describe(found))")
    }

    @usableFromInline
    static func describe(_ kind: Kind) -> String {
        switch kind {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .end: "the end of input"
        case .invalid: "invalid JSON"
        }
    }

    // MARK: - Objects

    /// Consumes `{`; a type error if the next value is not an object.
    @inlinable
    public mutating func beginObject() throws(OCPPValidationError) {
        guard peekKind() == .object else { throw typeError(expected: "an object") }
        index += 1
        atFirstMember = true
    }

    /// The next key of the current object, with its `:` consumed; `nil`
    /// once the closing `}` is consumed.
    @inlinable
    public mutating func nextKey() throws(OCPPValidationError) -> JSONKey? {
        skipWhitespace()
        guard index < bytes.count else { throw syntaxError("unterminated object") }
        var byte = bytes[index]
        if byte == UInt8(ascii: "}") {
            index += 1
            atFirstMember = false
            return nil
        }
        if atFirstMember {
            atFirstMember = false
        } else {
            guard byte == UInt8(ascii: ",") else { throw syntaxError("expected ',' or '}'") }
            index += 1
            skipWhitespace()
            guard index < bytes.count else { throw syntaxError("unterminated object") }
            byte = bytes[index]
        }
        guard byte == UInt8(ascii: "\"") else { throw syntaxError("expected a string key") }
        let (start, end, escaped) = try scanString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
            throw syntaxError("expected ':'")
        }
        index += 1
        return JSONKey(bytes: bytes, start: start, end: end, escaped: escaped)
    }

    // MARK: - Arrays

    /// Consumes `[`; a type error if the next value is not an array.
    @inlinable
    public mutating func beginArray() throws(OCPPValidationError) {
        guard peekKind() == .array else { throw typeError(expected: "an array") }
        index += 1
        atFirstMember = true
    }

    /// True when another element follows (its `,` consumed); false once the
    /// closing `]` is consumed.
    @inlinable
    public mutating func nextElement() throws(OCPPValidationError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw syntaxError("unterminated array") }
        let byte = bytes[index]
        if byte == UInt8(ascii: "]") {
            index += 1
            atFirstMember = false
            return false
        }
        if atFirstMember {
            atFirstMember = false
            return true
        }
        guard byte == UInt8(ascii: ",") else { throw syntaxError("expected ',' or ']'") }
        index += 1
        skipWhitespace()
        guard index < bytes.count, bytes[index] != UInt8(ascii: "]") else { throw syntaxError("trailing ','") }
        return true
    }

    // MARK: - Strings

    /// Scans a string starting at the opening quote; returns the content
    /// range and whether it holds escapes. Rejects raw control characters.
    @inlinable
    mutating func scanString() throws(OCPPValidationError) -> (start: Int, end: Int, escaped: Bool) {
        let start = index + 1
        var i = start
        var escaped = false
        let count = bytes.count
        let base = bytes.baseAddress!
        while true {
            // Eight bytes at a time while none of them is special (SWAR).
            while i + 8 <= count, !Self.hasSpecialByte(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                i += 8
            }
            guard i < count else {
                index = count
                throw syntaxError("unterminated string")
            }
            let byte = base[i]
            if byte == UInt8(ascii: "\"") {
                index = i + 1
                return (start, i, escaped)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                guard let next = Self.endOfEscape(base, count, at: i) else {
                    index = i
                    throw syntaxError("bad escape in string")
                }
                i = next
                continue
            }
            if byte < 0x20 {
                index = i
                throw syntaxError("control character in string")
            }
            i += 1
        }
    }

    /// True when `word` holds a quote, a backslash or a byte below 0x20.
    @inlinable
    static func hasSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        // A zero byte in x shows as a high bit in (x - 1) & ~x; bytes < 0x20 likewise in (word - 0x20).
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- (ones &* 0x20)) & ~word
        return (hasQuote | hasBackslash | hasControl) & highs != 0
    }

    /// The index after the escape at `i` (RFC 8259 §7), `nil` when it is not
    /// one, so that a skipped string is checked as strictly as a decoded one.
    @inlinable
    static func endOfEscape(_ base: UnsafePointer<UInt8>, _ count: Int, at i: Int) -> Int? {
        guard i + 1 < count else { return nil }
        switch base[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return i + 2
        case UInt8(ascii: "u"):
            guard i + 5 < count else { return nil }
            for k in i + 2...i + 5 {
                let c = base[k]
                let isHex = c &- UInt8(ascii: "0") < 10 || (c | 0x20) &- UInt8(ascii: "a") < 6
                guard isHex else { return nil }
            }
            return i + 6
        default:
            return nil
        }
    }

    /// Reads a string without unescaping it: the raw content bytes.
    @inlinable
    public mutating func readRawString() throws(OCPPValidationError) -> JSONKey {
        guard peekKind() == .string else { throw typeError(expected: "a string") }
        let (start, end, escaped) = try scanString()
        return JSONKey(bytes: bytes, start: start, end: end, escaped: escaped)
    }

    /// Reads a string value.
    @inlinable
    public mutating func readString() throws(OCPPValidationError) -> String {
        let raw = try readRawString()
        return try raw.decoded()
    }

    // MARK: - Numbers

    /// Scans a number per RFC 8259 §6; returns its range and whether it has
    /// a fraction or exponent.
    @inlinable
    mutating func scanNumber() throws(OCPPValidationError) -> (start: Int, end: Int, integral: Bool) {
        let start = index
        var integral = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw syntaxError("incomplete number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(bytes[index]) {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        } else {
            throw syntaxError("invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw syntaxError("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw syntaxError("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return (start, index, integral)
    }

    @inlinable
    func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Reads a JSON integer. A number with a fraction or exponent is a type
    /// error, as JSON Schema draft 4 (OCPP 1.6) has it.
    @inlinable
    public mutating func readInt() throws(OCPPValidationError) -> Int {
        guard peekKind() == .number else { throw typeError(expected: "an integer") }
        let (start, end, integral) = try scanNumber()
        guard integral else {
            index = start
            throw OCPPValidationError(.type, "expected an integer, found a number with a fraction or exponent")
        }
        var i = start
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var value = 0
        while i < end {
            let digit = Int(bytes[i] &- UInt8(ascii: "0"))
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            if o1 || o2 { throw OCPPValidationError(.property, "integer out of range") }
            value = sum
            i += 1
        }
        return value
    }

    /// Reads any JSON number as an exact `Decimal`.
    @inlinable
    public mutating func readDecimal() throws(OCPPValidationError) -> Decimal {
        guard peekKind() == .number else { throw typeError(expected: "a number") }
        let (start, end, _) = try scanNumber()
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        guard let value = Decimal(string: text, locale: nil) else {
            throw OCPPValidationError(.property, "number out of range")
        }
        return value
    }

    // MARK: - Literals

    /// Reads `true` or `false`.
    @inlinable
    public mutating func readBool() throws(OCPPValidationError) -> Bool {
        guard peekKind() == .bool else { throw typeError(expected: "a boolean") }
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw syntaxError("invalid literal")
    }

    @inlinable
    mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        let base = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != base[offset] { return false }
        index += count
        return true
    }

    // MARK: - Skipping

    /// Skips one value of any type, checking its syntax.
    public mutating func skipValue() throws(OCPPValidationError) {
        try skipValue(depth: 0)
    }

    mutating func skipValue(depth: Int) throws(OCPPValidationError) {
        guard depth < Self.maxDepth else { throw syntaxError("nesting too deep") }
        switch peekKind() {
        case .object:
            index += 1
            atFirstMember = true
            while try nextKey() != nil { try skipValue(depth: depth + 1) }
        case .array:
            index += 1
            atFirstMember = true
            while try nextElement() { try skipValue(depth: depth + 1) }
        case .string:
            _ = try scanString()
        case .number:
            _ = try scanNumber()
        case .bool:
            _ = try readBool()
        case .null:
            guard matchLiteral("null") else { throw syntaxError("invalid literal") }
        case .end:
            throw syntaxError("unexpected end of input")
        case .invalid:
            throw syntaxError("unexpected character")
        }
    }

    /// Consumes `null` if it is next; true if it did.
    @inlinable
    public mutating func readNullIfPresent() -> Bool {
        guard peekKind() == .null else { return false }
        return matchLiteral("null")
    }
}
