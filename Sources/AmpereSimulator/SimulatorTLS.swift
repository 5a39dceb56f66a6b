import NIOSSL

/// TLS for simulated charge points on `wss://` URLs.
public enum SimulatorTLS {
    /// A file that names no certificate authority a charge point could trust.
    public struct UnusableCAFile: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Client TLS that trusts the certificate authorities in the PEM file at `path` (and no
    /// others), as a charge point is given its operator's CA: a central system with a private or
    /// self-signed certificate can then be reached.
    public static func trusting(caFile path: String) throws -> TLSConfiguration {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw UnusableCAFile(path: path, reason: "not a readable PEM file of certificates (\(error))")
        }
        guard !certificates.isEmpty else { throw UnusableCAFile(path: path, reason: "holds no certificate") }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(certificates)
        return configuration
    }
}
