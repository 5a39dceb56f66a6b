import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare HTTP/1.1 exchange over a loopback socket, for the upgrade
/// statuses a WebSocket client library would hide.
///
/// The blocking socket work runs on a thread of its own: blocking one of Swift
/// concurrency's few threads (two on a 2-core machine) would stall the server under test.
enum RawHTTP {
    /// One answer of `exchanges`: its status, headers (names lowercased) and body.
    struct Answer: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// An upgrade request to `path`, as a charge point sends it.
    static func upgradeRequest(
        port: Int, path: String, subprotocols: [String]? = ["ocpp1.6"], authorization: String? = nil
    ) -> String {
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        if let subprotocols { request += "Sec-WebSocket-Protocol: \(subprotocols.joined(separator: ", "))\r\n" }
        if let authorization { request += "Authorization: \(authorization)\r\n" }
        return request + "\r\n"
    }

    /// The status code of an upgrade request to `path`.
    static func upgradeStatus(
        port: Int, path: String, subprotocols: [String]? = ["ocpp1.6"], authorization: String? = nil
    ) async throws -> Int {
        let request = upgradeRequest(port: port, path: path, subprotocols: subprotocols, authorization: authorization)
        return try await onOwnThread {
            let fd = try connectedSocket(port: port)
            defer { close(fd) }
            return status(ofHead: sendReadingHead(fd, request))
        }
    }

    /// An upgrade to `path` whose socket stays open: its status and the socket, which the caller
    /// closes (`close(_:)`).
    static func heldUpgrade(port: Int, path: String) async throws -> (status: Int, socket: Int32) {
        try await onOwnThread {
            let fd = try connectedSocket(port: port)
            return (status(ofHead: sendReadingHead(fd, upgradeRequest(port: port, path: path))), fd)
        }
    }

    /// Sends `requests` one after the other on one connection, each once the answer before it
    /// has come (answers need a Content-Length), as a proxy reusing a pooled connection does.
    static func exchanges(port: Int, requests: [String]) async throws -> [Answer] {
        try await onOwnThread {
            let fd = try connectedSocket(port: port)
            defer { close(fd) }
            var answers: [Answer] = []
            var received: [UInt8] = []
            for request in requests {
                send(fd, request)
                while true {
                    if let answer = parse(&received) {
                        answers.append(answer)
                        break
                    }
                    guard receive(fd, into: &received) else { return answers }
                }
            }
            return answers
        }
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    // MARK: Sockets

    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    /// A blocking socket connected to 127.0.0.1:`port`, whose reads give up after 30 s.
    private static func connectedSocket(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    private static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Appends what the socket has to `buffer`; false once it is closed (or the read timed out).
    private static func receive(_ fd: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Sends `request` and returns the answer's status line and headers (up to the blank line).
    private static func sendReadingHead(_ fd: Int32, _ request: String) -> String {
        send(fd, request)
        var received: [UInt8] = []
        while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n"), receive(fd, into: &received) {}
        return String(decoding: received, as: UTF8.self)
    }

    /// The status code of an answer's head, -1 when there is none.
    private static func status(ofHead head: String) -> Int {
        let parts = (head.split(separator: "\r\n").first ?? "").split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) ?? -1 : -1
    }

    /// Takes one whole answer off the front of `buffer`, if it holds one.
    private static func parse(_ buffer: inout [UInt8]) -> Answer? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = buffer.indices.first(where: { buffer[$0...].starts(with: separator) }) else { return nil }
        let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = status(ofHead: lines[0])
        guard status >= 0 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bodyStart = end + separator.count
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard buffer.count >= bodyStart + length else { return nil }
        let body = String(decoding: buffer[bodyStart..<(bodyStart + length)], as: UTF8.self)
        buffer.removeFirst(bodyStart + length)
        return Answer(status: status, headers: headers, body: body)
    }
}
