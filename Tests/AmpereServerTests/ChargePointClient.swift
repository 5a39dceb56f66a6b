import Foundation
import HTTPTypes
import Logging
import NIOCore
import OCPPCore
import Synchronization
import WSClient

/// A charge point made of the project's own OCPP session over a real
/// WebSocket client, for integration tests.
enum ChargePointClient {
    /// Connects as `id`, serves calls from the central system with `router`,
    /// runs `body` with the session, then closes.
    static func run<T: Sendable>(
        _ server: ServerHarness, id: String, router: OCPPRouter<Void>,
        _ body: @escaping @Sendable (OCPPSession<Void>) async throws -> T
    ) async throws -> T {
        let logger = {
            var logger = Logger(label: "test-charge-point")
            logger.logLevel = .warning
            return logger
        }()
        var headers = HTTPFields()
        headers[HTTPField.Name("Sec-WebSocket-Protocol")!] = "ocpp1.6"
        let outcome = Mutex<Result<T, any Error>?>(nil)
        try await WebSocketClient.connect(
            url: "\(server.wsURL)/\(id)",
            configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: headers),
            logger: logger
        ) { inbound, outbound, _ in
            let session = OCPPSession(router: router, context: (), logger: logger) { frame in
                try await outbound.write(.text(String(decoding: frame, as: UTF8.self)))
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            if case .text(let text) = message { await session.receive(Array(text.utf8)) }
                        }
                    } catch {}
                    session.close()
                }
                let result: Result<T, any Error>
                do { result = .success(try await body(session)) } catch { result = .failure(error) }
                outcome.withLock { $0 = result }
                try? await outbound.close(.normalClosure, reason: nil)
                await group.waitForAll()
            }
        }
        guard let result = outcome.withLock({ $0 }) else { throw CancellationError() }
        return try result.get()
    }
}
