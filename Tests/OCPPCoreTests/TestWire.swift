import Logging
import OCPPCore
import Synchronization
import Testing

/// The transport under a session in tests: records every frame the
/// session sends and can be told to fail sends.
final class TestWire: Sendable {
    struct SendFailure: Error, Equatable {}

    private let frames = Mutex<[[UInt8]]>([])
    private let failuresLeft = Mutex(0)

    /// Every frame sent so far, in order.
    var sent: [[UInt8]] { frames.withLock { $0 } }
    var count: Int { frames.withLock { $0.count } }
    /// The last frame sent.
    var last: [UInt8]? { frames.withLock { $0.last } }

    /// Makes the next `count` sends throw `SendFailure` (after recording nothing).
    func failNextSends(_ count: Int) { failuresLeft.withLock { $0 = count } }

    @Sendable func send(_ frame: [UInt8]) async throws {
        let fail = failuresLeft.withLock { left -> Bool in
            guard left > 0 else { return false }
            left -= 1
            return true
        }
        if fail { throw SendFailure() }
        frames.withLock { $0.append(frame) }
    }

    /// The frame at `index` (0-based), waiting up to `limit` for it to be sent.
    func frame(_ index: Int, within limit: Duration = .seconds(3)) async throws -> [UInt8] {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let frame = frames.withLock({ index < $0.count ? $0[index] : nil }) { return frame }
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("no frame #\(index) was sent within \(limit)")
        throw CancellationError()
    }

    /// The CALL at `index`.
    func call(_ index: Int) async throws -> OCPPCall {
        let message = try OCPPMessage.parse(try await frame(index))
        guard case .call(let call) = message else {
            Issue.record("frame #\(index) is not a CALL: \(message)")
            throw CancellationError()
        }
        return call
    }
}

/// Deterministic message ids `m1`, `m2`, ...
final class SequentialIds: Sendable {
    private let next = Mutex(0)

    @Sendable func make() -> String {
        next.withLock {
            $0 += 1
            return "m\($0)"
        }
    }
}

let silentLogger = Logger(label: "ocpp-core-tests") { _ in SwiftLogNoOpLogHandler() }

/// A session over the test protocol with sequential ids, and its wire.
func makeSession(
    version: OCPPVersion = .v16,
    timeout: Duration = .seconds(3),
    makeMessageId: (@Sendable () -> String)? = nil
) -> (OCPPSession<String>, TestWire) {
    let wire = TestWire()
    let configuration = OCPPSession<String>.Configuration(
        defaultTimeout: timeout, makeMessageId: makeMessageId ?? SequentialIds().make)
    let session = OCPPSession(
        router: TestProtocol.router(version), context: "ctx:", configuration: configuration, logger: silentLogger,
        send: wire.send)
    return (session, wire)
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Waits until `condition` holds, up to `limit`.
func eventually(within limit: Duration = .seconds(3), _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    for _ in 0..<50 {
        if condition() { return true }
        await Task.yield()
    }
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(1))
    }
    return condition()
}
