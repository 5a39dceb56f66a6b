import NIOWebSocket
import OCPPCore

/// Masking keys for one connection's frames, from a `SplitMix64` sequence seeded once from the
/// system's generator.
///
/// RFC 6455 §5.3 wants keys a page's script cannot predict, so that it cannot steer the bytes
/// an intermediary sees; a load generator runs no such script. `WebSocketMaskingKey.random()`
/// asks the kernel for every frame (getrandom(2), 1.5 % of the generator's CPU in the closed
/// loop), where this is a few arithmetic instructions.
struct MaskingKeys {
    private var generator: SplitMix64

    init() {
        var system = SystemRandomNumberGenerator()
        generator = SplitMix64(seed: system.next())
    }

    mutating func key() -> WebSocketMaskingKey {
        .random(using: &generator)
    }

    /// The next key as a 32-bit number, most significant byte first on the wire.
    mutating func next() -> UInt32 {
        UInt32(truncatingIfNeeded: generator.next())
    }
}
