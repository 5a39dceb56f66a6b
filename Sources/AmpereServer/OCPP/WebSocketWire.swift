import NIOCore
import NIOWebSocket

/// The WebSocket frame as it travels (RFC 6455 §5.2), read and written by
/// `OCPPWebSocketHandler` itself rather than by NIO's frame decoder and
/// encoder: a client's payload is unmasked straight into the bytes the
/// station's session takes, and an answer goes out as one buffer, header and
/// payload together, in one write.
enum WebSocketWire {
    /// RFC 6455 §5.2 opcodes.
    enum Opcode: UInt8, Sendable {
        case continuation = 0x0
        case text = 0x1
        case binary = 0x2
        case close = 0x8
        case ping = 0x9
        case pong = 0xA

        /// RFC 6455 §5.5: close, ping and pong.
        var isControl: Bool { rawValue & 0x8 != 0 }
    }

    /// The longest header a server writes: 2 bytes and a 64-bit length, no mask (RFC 6455 §5.1).
    static let maxServerHeaderLength = 10
    /// RFC 6455 §5.5: a control frame's payload is at most 125 bytes.
    static let maxControlPayload = 125

    /// One frame's header.
    struct Header: Equatable, Sendable {
        var fin: Bool
        /// RSV1–3 as they came; nonzero only under an extension, and none is negotiated.
        var reservedBits: UInt8
        /// The 4-bit opcode as it came; `Opcode(rawValue:)` is nil for a reserved one.
        var opcode: UInt8
        /// The masking key's four bytes, first byte highest; nil for an unmasked frame.
        var maskKey: UInt32?
        var payloadLength: Int
        /// Bytes before the payload.
        var length: Int

        /// Header and payload together.
        var frameLength: Int { length + payloadLength }
    }

    enum HeaderReading: Equatable, Sendable {
        /// Not all of the header has arrived.
        case incomplete
        case header(Header)
        /// The payload would be longer than the limit (or than a 64-bit length allows).
        case tooLarge
    }

    /// Reads the header at the start of `buffer`'s readable bytes without
    /// moving its reader index.
    static func readHeader(_ buffer: ByteBuffer, maxPayloadLength: Int) -> HeaderReading {
        let start = buffer.readerIndex
        guard let first = buffer.getInteger(at: start, as: UInt8.self),
            let second = buffer.getInteger(at: start + 1, as: UInt8.self)
        else { return .incomplete }
        var length = 2
        var payloadLength: Int
        switch second & 0x7F {
        case 126:
            guard let extended = buffer.getInteger(at: start + 2, as: UInt16.self) else { return .incomplete }
            payloadLength = Int(extended)
            length += 2
        case 127:
            guard let extended = buffer.getInteger(at: start + 2, as: UInt64.self) else { return .incomplete }
            // RFC 6455 §5.2: the most significant bit of a 64-bit length is 0.
            guard extended <= UInt64(Int.max) else { return .tooLarge }
            payloadLength = Int(extended)
            length += 8
        default:
            payloadLength = Int(second & 0x7F)
        }
        guard payloadLength <= maxPayloadLength else { return .tooLarge }
        var maskKey: UInt32?
        if second & 0x80 != 0 {
            guard let key = buffer.getInteger(at: start + length, as: UInt32.self) else { return .incomplete }
            maskKey = key
            length += 4
        }
        return .header(
            Header(
                fin: first & 0x80 != 0, reservedBits: (first >> 4) & 0x7, opcode: first & 0x0F, maskKey: maskKey,
                payloadLength: payloadLength, length: length))
    }

    /// The payload of the whole frame at the start of `buffer`'s readable
    /// bytes, unmasked; the caller has checked that all of it has arrived.
    static func payload(of header: Header, in buffer: ByteBuffer) -> [UInt8] {
        let count = header.payloadLength
        guard count > 0 else { return [] }
        return buffer.withUnsafeReadableBytes { raw in
            let source = UnsafeRawBufferPointer(rebasing: raw[header.length..<header.frameLength])
            guard let key = header.maskKey else { return Array(source) }
            // The key's bytes in the order they came, without an array per frame.
            return withUnsafeBytes(of: key.bigEndian) { mask in
                [UInt8](unsafeUninitializedCapacity: count) { target, initialized in
                    for index in 0..<count { target[index] = source[index] ^ mask[index & 3] }
                    initialized = count
                }
            }
        }
    }

    /// A whole frame as a server sends it: final, unmasked (RFC 6455 §5.1).
    static func serverFrame(
        _ opcode: Opcode, payload: some Collection<UInt8>, allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: maxServerHeaderLength + payload.count)
        buffer.writeInteger(0x80 | opcode.rawValue)
        switch payload.count {
        case ..<126:
            buffer.writeInteger(UInt8(payload.count))
        case ...Int(UInt16.max):
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(payload.count))
        default:
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(payload.count))
        }
        buffer.writeBytes(payload)
        return buffer
    }

    /// A close frame's payload: the status code, then the reason (RFC 6455 §5.5.1).
    static func closePayload(_ code: WebSocketErrorCode, reason: String) -> [UInt8] {
        let number = UInt16(webSocketErrorCode: code)
        return [UInt8(number >> 8), UInt8(number & 0xFF)] + reason.utf8
    }

    /// What a peer's close frame says.
    enum ReceivedClose: Equatable, Sendable {
        /// No status code.
        case noCode
        case code(WebSocketErrorCode)
        /// A payload of one byte, or a code no endpoint may send (RFC 6455 §7.4): a protocol error.
        case invalidCode
        /// A reason that is not UTF-8 (RFC 6455 §5.5.1).
        case invalidReason
    }

    /// Reads a close frame's payload: the status code, then the reason (RFC 6455 §5.5.1).
    static func receivedClose(_ payload: [UInt8]) -> ReceivedClose {
        guard !payload.isEmpty else { return .noCode }
        guard payload.count >= 2 else { return .invalidCode }
        let number = Int(payload[0]) << 8 | Int(payload[1])
        guard isSendableCloseCode(number) else { return .invalidCode }
        guard Array(payload[2...]).isValidUTF8 else { return .invalidReason }
        return .code(WebSocketErrorCode(codeNumber: number))
    }

    /// RFC 6455 §7.4.1–7.4.2: the defined codes an endpoint may put in a close frame (1004 is
    /// reserved; 1005, 1006 and 1015 are never sent; 1012–1014 were registered with IANA since),
    /// and 3000–4999 for libraries and applications.
    static func isSendableCloseCode(_ number: Int) -> Bool {
        switch number {
        case 1000...1003, 1007...1014, 3000...4999: return true
        default: return false
        }
    }
}

extension Array where Element == UInt8 {
    /// True when the bytes are well-formed UTF-8 (RFC 6455 §8.1); ASCII, the
    /// usual case of OCPP-J, is checked without making a string.
    var isValidUTF8: Bool {
        allSatisfy { $0 < 0x80 } || String(validating: self, as: UTF8.self) != nil
    }
}
