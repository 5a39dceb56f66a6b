import NIOCore

/// The local addresses the generator's connections leave from.
///
/// One source address gives a connection per ephemeral port towards the
/// server's one address and port (about 28,000 with Linux's default
/// `ip_local_port_range`); above that, connections are spread round-robin
/// over 127.0.0.1, 127.0.0.2, …, which every Linux loopback interface
/// answers without configuration.
public struct SourceAddresses: Sendable, Equatable {
    /// How many loopback addresses; 1 lets the kernel choose, as any client does.
    public let count: Int

    /// Connections per source address before another one is needed (with a margin).
    public static let connectionsPerAddress = 25_000
    /// Linux's IP_BIND_ADDRESS_NO_PORT (not in Swift's Glibc module): a socket bound to a source
    /// address gets its port at connect(), per destination, instead of reserving one for good at
    /// bind(), so that one address serves more connections than it has ports to reserve.
    static let bindAddressNoPort: CInt = 24

    public init(count: Int) { self.count = max(1, count) }

    /// Enough addresses for `stations` connections.
    public static func automatic(stations: Int) -> SourceAddresses {
        SourceAddresses(count: (stations + connectionsPerAddress - 1) / connectionsPerAddress)
    }

    /// Enough addresses for `stations` connections to `url`; one when the
    /// server is not on an IPv4 loopback address, where no others would reach it.
    public static func automatic(stations: Int, url: String) -> SourceAddresses {
        guard BenchEndpoint(url: url)?.isIPv4Loopback == true else { return SourceAddresses(count: 1) }
        return automatic(stations: stations)
    }

    /// The address connection `index` binds to; nil: no bind, the kernel chooses.
    func address(for index: Int) -> SocketAddress? {
        guard count > 1 else { return nil }
        let host = index % count + 1
        return try? SocketAddress(ipAddress: "127.0.\(host / 256).\(host % 256)", port: 0)
    }
}
