import Foundation

/// The OCPP endpoint a scenario loads, split into what a socket needs.
public struct BenchEndpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The path a charge point id is appended to, without a trailing slash.
    public var path: String

    /// Parses `ws://host:port/path`; nil for anything else. The generator
    /// speaks plain WebSocket only: TLS would cost the server's share of the
    /// two cores on the generator side too.
    public init?(url: String) {
        guard let components = URLComponents(string: url), components.scheme == "ws",
            let host = components.host, !host.isEmpty
        else { return nil }
        self.host = host
        self.port = components.port ?? 80
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.path = path
    }

    /// The REST API on the same host and port: `ws://h:p/ocpp` → `http://h:p`.
    public var apiURL: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "http://\(host):\(port)"
    }

    /// The request path of charge point `id` (OCPP-J 1.6 §3.1.1: the id is the last path segment).
    func requestPath(id: String) -> String {
        let segment = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? id
        return "\(path)/\(segment)"
    }

    /// The `Host` header.
    var hostHeader: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(host):\(port)"
    }

    /// Whether the host is an IPv4 loopback address, where several source
    /// addresses can be used (`localhost` may resolve to `::1`).
    var isIPv4Loopback: Bool { host.hasPrefix("127.") }
}
