import NIOCore

/// Buffers for the payloads of the bench stations' frames.
enum FrameBuffer {
    /// The largest header of a frame a client sends: RFC 6455 §5.2, 2 bytes, an 8-byte length
    /// and a 4-byte masking key.
    static let headerRoom = 14

    /// An empty buffer with room for at least `capacity` payload bytes and for the frame's header
    /// ahead of them: NIO's encoder writes the header there instead of into a buffer of its own,
    /// and the frame goes out in one write (a separate header had been 3 % of the generator's CPU
    /// in the closed loop).
    static func make(_ allocator: ByteBufferAllocator, capacity: Int) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: headerRoom + capacity)
        buffer.moveWriterIndex(forwardBy: headerRoom)
        buffer.moveReaderIndex(forwardBy: headerRoom)
        return buffer
    }
}
