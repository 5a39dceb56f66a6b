#if os(Linux)
    import Glibc
    import NIOCore

    /// A TCP socket the generator connects itself, so that it keeps a second descriptor of it:
    /// NIO upgrades and boots the station over one, and `EpollRoundTripLoop` takes the connection
    /// over with the other while NIO's channel stops reading (`StationConnection.descriptor`).
    enum ConnectedSocket {
        struct Failed: Error, CustomStringConvertible {
            let call: String
            let code: Int32
            var description: String { "\(call): \(String(cString: strerror(code)))" }
        }

        /// A connected, blocking socket to `endpoint` with TCP_NODELAY, from `source` when given;
        /// a connect that takes longer than `timeout` fails.
        static func connect(to endpoint: BenchEndpoint, from source: SocketAddress?, timeout: TimeAmount) throws -> CInt
        {
            let destination = try SocketAddress.makeAddressResolvingHost(endpoint.host, port: endpoint.port)
            let family = destination.protocol.rawValue
            let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failed(call: "socket", code: errno) }
            do {
                var one: CInt = 1
                try check("setsockopt", setsockopt(fd, CInt(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<CInt>.size)))
                if let source {
                    try check(
                        "setsockopt",
                        setsockopt(
                            fd, CInt(IPPROTO_IP), SourceAddresses.bindAddressNoPort, &one, socklen_t(MemoryLayout<CInt>.size)))
                    try source.withSockAddr { address, length in
                        try check("bind", bind(fd, address, socklen_t(length)))
                    }
                }
                // Linux bounds a blocking connect() by the send timeout.
                let micros = max(1, timeout.nanoseconds / 1000)
                var limit = timeval(tv_sec: Int(micros / 1_000_000), tv_usec: Int(micros % 1_000_000))
                try check("setsockopt", setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size)))
                try destination.withSockAddr { address, length in
                    try check("connect", Glibc.connect(fd, address, socklen_t(length)))
                }
                var none = timeval(tv_sec: 0, tv_usec: 0)
                try check("setsockopt", setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, socklen_t(MemoryLayout<timeval>.size)))
                return fd
            } catch {
                close(fd)
                throw error
            }
        }

        private static func check(_ call: String, _ result: CInt) throws {
            guard result == 0 else { throw Failed(call: call, code: errno) }
        }
    }
#endif
