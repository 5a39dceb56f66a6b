import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare HTTP/1.1 exchange over a loopback socket, for the upgrade
/// statuses a WebSocket client library would hide.
enum RawHTTP {
    /// Sends `request` to 127.0.0.1:`port` and returns the status line and
    /// headers of the answer (everything up to the blank line).
    static func exchange(port: Int, request: String, timeoutSeconds: Int = 30) throws -> String {
        let fd = try connectedSocket(port: port, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: chunk[0..<count])
            if let text = String(bytes: received, encoding: .utf8), text.contains("\r\n\r\n") { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// A blocking socket connected to 127.0.0.1:`port`, whose reads give up after `timeoutSeconds`.
    private static func connectedSocket(port: Int, timeoutSeconds: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
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

    /// The status code of an upgrade request to `path`. The blocking socket
    /// work runs on a thread of its own: blocking one of Swift concurrency's
    /// few threads (two on a 2-core machine) would stall the server under test.
    static func upgradeStatus(
        port: Int, path: String, subprotocols: [String]? = ["ocpp1.6"], authorization: String? = nil
    ) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        try blockingUpgradeStatus(
                            port: port, path: path, subprotocols: subprotocols, authorization: authorization)
                    })
            }
        }
    }

    private static func blockingUpgradeStatus(
        port: Int, path: String, subprotocols: [String]?, authorization: String?
    ) throws -> Int {
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        if let subprotocols { request += "Sec-WebSocket-Protocol: \(subprotocols.joined(separator: ", "))\r\n" }
        if let authorization { request += "Authorization: \(authorization)\r\n" }
        request += "\r\n"
        let answer = try exchange(port: port, request: request)
        let statusLine = answer.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return -1 }
        return status
    }

    /// An upgrade to `path` whose socket stays open: its status and the socket, which the caller
    /// closes (`close(_:)`).
    static func heldUpgrade(port: Int, path: String) async throws -> (status: Int, socket: Int32) {
        try await withCheckedThrowingContinuation { continuation in
            // A thread of its own, as in `upgradeStatus`.
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        let fd = try connectedSocket(port: port, timeoutSeconds: 30)
                        let bytes = Array(upgradeRequest(port: port, path: path).utf8)
                        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
                        var received: [UInt8] = []
                        var chunk = [UInt8](repeating: 0, count: 4096)
                        while let answer = String(bytes: received, encoding: .utf8), !answer.contains("\r\n\r\n") {
                            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                            guard count > 0 else { break }
                            received.append(contentsOf: chunk[0..<count])
                        }
                        let parts = String(decoding: received, as: UTF8.self).split(separator: " ")
                        return (parts.count >= 2 ? Int(parts[1]) ?? -1 : -1, fd)
                    })
            }
        }
    }

    /// One answer of `exchanges`: its status, headers (names lowercased) and body.
    struct Answer: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// An upgrade request to `path` offering OCPP 1.6, as a charge point sends it.
    static func upgradeRequest(port: Int, path: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n"
    }

    /// Sends `requests` one after the other on one connection, each once the answer before it
    /// has come (answers need a Content-Length), as a proxy reusing a pooled connection does.
    static func exchanges(port: Int, requests: [String]) async throws -> [Answer] {
        try await withCheckedThrowingContinuation { continuation in
            // A thread of its own, as in `upgradeStatus`.
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchanges(port: port, requests: requests) })
            }
        }
    }

    private static func blockingExchanges(port: Int, requests: [String]) throws -> [Answer] {
        let fd = try connectedSocket(port: port, timeoutSeconds: 30)
        defer { close(fd) }
        var answers: [Answer] = []
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        for request in requests {
            let bytes = Array(request.utf8)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            while true {
                if let answer = parse(&received) {
                    answers.append(answer)
                    break
                }
                let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard count > 0 else { return answers }
                received.append(contentsOf: chunk[0..<count])
            }
        }
        return answers
    }

    /// Takes one whole answer off the front of `buffer`, if it holds one.
    private static func parse(_ buffer: inout [UInt8]) -> Answer? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = buffer.indices.first(where: { buffer[$0...].starts(with: separator) }) else { return nil }
        let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
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

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }
}
