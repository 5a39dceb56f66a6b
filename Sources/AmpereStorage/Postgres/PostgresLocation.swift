import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…` URL, read into
/// what the driver needs.
///
/// `sslmode` (or `tlsmode`, `ssl`, `tls`) takes libpq's names: `disable`;
/// `allow` and `prefer` (TLS when the server offers it); `require`,
/// `verify-ca` and `verify-full` (TLS or no connection). Whenever TLS is used
/// the certificate is verified against the system's trust roots and the
/// host name. `pool_max` sets the most connections this node opens (default 10).
struct PostgresLocation: Sendable, Equatable {
    enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String?
    var tls: TLSMode
    var maximumConnections: Int

    static let schemes: Set<String> = ["postgres", "postgresql"]

    /// True when `location` names a PostgreSQL server rather than a SQLite file.
    static func isPostgres(_ location: String) -> Bool {
        guard let colon = location.firstIndex(of: ":") else { return false }
        return schemes.contains(location[..<colon].lowercased())
    }

    init(url text: String) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), Self.schemes.contains(scheme)
        else {
            throw StorageError(.database, reason: "not a postgres:// URL")
        }
        guard let host = url.host, !host.isEmpty else {
            throw StorageError(.database, reason: "the PostgreSQL URL names no host")
        }
        guard let user = url.user, !user.isEmpty else {
            throw StorageError(.database, reason: "the PostgreSQL URL names no user")
        }
        self.host = host
        port = url.port ?? 5432
        username = user
        password = url.password
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        database = path.isEmpty ? nil : path
        tls = .prefer
        maximumConnections = 10
        for item in url.queryItems ?? [] {
            switch item.name.lowercased() {
            case "sslmode", "tlsmode", "ssl", "tls":
                switch item.value?.lowercased() ?? "" {
                case "disable", "false": tls = .disable
                case "allow", "prefer", "true": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                default: throw StorageError(.database, reason: "unknown sslmode '\(item.value ?? "")'")
                }
            case "pool_max":
                guard let value = item.value.flatMap(Int.init), value >= 2 else {
                    throw StorageError(.database, reason: "pool_max must be a number of at least 2")
                }
                maximumConnections = value
            default:
                continue
            }
        }
    }

    /// Where the server is, for messages; never the password.
    var description: String { "postgres://\(username)@\(host):\(port)/\(database ?? "")" }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tlsSetting: PostgresConnection.Configuration.TLS
        switch tls {
        case .disable: tlsSetting = .disable
        case .prefer: tlsSetting = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tlsSetting = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tlsSetting)
    }

    func clientConfiguration() -> PostgresClient.Configuration {
        let tlsSetting: PostgresClient.Configuration.TLS
        switch tls {
        case .disable: tlsSetting = .disable
        case .prefer: tlsSetting = .prefer(.makeClientConfiguration())
        case .require: tlsSetting = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tlsSetting)
        configuration.options.maximumConnections = maximumConnections
        return configuration
    }
}
