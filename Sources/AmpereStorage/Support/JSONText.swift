/// Builds JSON text by hand where building it value by value through an
/// encoder would cost more than the statement it feeds. Works on UTF-8
/// bytes: everything JSON escapes is ASCII, and no byte of a multi-byte
/// character is below 0x80, so bytes can be copied as they are.
struct JSONText {
    private var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Appends `text` as it is: punctuation, or numbers already formatted.
    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func int(_ value: Int) { raw(String(value)) }

    /// Appends `value` as a JSON string (RFC 8259 §7): quoted, with `"`, `\` and control characters escaped.
    ///
    /// Runs of bytes that need no escape are copied in one go: the message log passes every OCPP
    /// frame through here, and a byte at a time this took a third of its thread's time under
    /// MeterValues (docs/PERFORMANCE.md, fourteenth session).
    mutating func string(_ value: String) { string(value, nul: .escaped) }

    /// What `string` writes for U+0000.
    enum NULCharacter {
        /// `\u0000`, which JSON allows and PostgreSQL's text cannot hold.
        case escaped
        /// `\ufffd`, the replacement character: for text that must be stored on every database.
        case replaced
    }

    /// Appends `value` as a JSON string, writing U+0000 as `nul` says.
    mutating func string(_ value: String, nul: NULCharacter) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { source in
            var runStart = 0
            for index in source.indices {
                let byte = source[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<index])) }
                runStart = index + 1
                if byte == 0, nul == .replaced {
                    bytes.append(contentsOf: "\\ufffd".utf8)
                } else {
                    escape(byte)
                }
            }
            if runStart < source.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends the escape of one byte that JSON does not allow in a string as it is.
    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(byte)
        case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
        case UInt8(ascii: "\r"): bytes.append(contentsOf: "\\r".utf8)
        case UInt8(ascii: "\t"): bytes.append(contentsOf: "\\t".utf8)
        default:
            bytes.append(contentsOf: "\\u00".utf8)
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0xF)])
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `value` as a JSON string, or `null`.
    mutating func string(_ value: String?, nul: NULCharacter = .escaped) {
        if let value { string(value, nul: nul) } else { raw("null") }
    }

    /// Bytes written so far.
    var count: Int { bytes.count }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}
