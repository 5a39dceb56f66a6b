import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 client for the REST side of the scenarios: kept-alive
/// connections, as many as requests run at once, reused in turn. URLSession
/// on Linux runs every request through libcurl and extra threads; on a
/// machine whose two cores the server shares, the generator stays on NIO's
/// event loops.
final class BenchHTTPClient: Sendable {
    let host: String
    let port: Int
    private let group: any EventLoopGroup
    private let idle = Mutex<[any Channel]>([])

    /// A base URL that is not `http://host[:port]`.
    struct BadURL: Error, CustomStringConvertible {
        var url: String
        var description: String { "not an http://host:port URL: \(url)" }
    }

    init(baseURL: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        guard let components = URLComponents(string: baseURL), components.scheme == "http",
            let host = components.host, !host.isEmpty
        else { throw BadURL(url: baseURL) }
        self.host = host
        self.port = components.port ?? 80
        self.group = group
    }

    /// Sends a request and reads the whole response. A kept-alive connection
    /// the server closed meanwhile is replaced once.
    func request(
        _ method: HTTPMethod, _ path: String, body: String? = nil, token: String? = nil,
        timeout: TimeAmount = .seconds(60)
    ) async throws -> HTTPReply {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host):\(port)")
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        var buffer: ByteBuffer?
        if let body {
            buffer = ByteBuffer(string: body)
            headers.add(name: "Content-Type", value: "application/json")
        }
        headers.add(name: "Content-Length", value: String(buffer?.readableBytes ?? 0))
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        var attempt = 0
        while true {
            attempt += 1
            let (channel, reused) = try await checkOut()
            let promise = channel.eventLoop.makePromise(of: HTTPReply.self)
            let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
            channel.writeAndFlush(HTTPExchange(head: head, body: buffer, promise: promise)).whenFailure {
                promise.fail($0)
            }
            do {
                let reply = try await promise.futureResult.get()
                timer.cancel()
                if reply.keepAlive { checkIn(channel) } else { channel.close(promise: nil) }
                return reply
            } catch {
                timer.cancel()
                channel.close(promise: nil)
                guard reused, attempt == 1 else { throw error }
            }
        }
    }

    /// Closes every idle connection.
    func shutdown() {
        let channels = idle.withLock { idle in
            defer { idle.removeAll() }
            return idle
        }
        for channel in channels { channel.close(promise: nil) }
    }

    private func checkOut() async throws -> (any Channel, reused: Bool) {
        while let channel = idle.withLock({ $0.popLast() }) {
            if channel.isActive { return (channel, true) }
        }
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler())
                }
            }
            .connect(host: host, port: port).get()
        return (channel, false)
    }

    private func checkIn(_ channel: any Channel) {
        idle.withLock { $0.append(channel) }
    }
}
