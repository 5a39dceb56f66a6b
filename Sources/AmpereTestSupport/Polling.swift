/// Waiting in tests for something that happens in the background: polled
/// with a deadline, so that a condition that never holds fails the test
/// with what it waited for instead of hanging the run.
public enum Polling {
    /// A condition did not hold before its deadline.
    public struct Timeout: Error, CustomStringConvertible {
        public let what: String
        public var description: String { "timed out waiting for \(what)" }
    }

    /// Polls `condition` until it holds; throws `Timeout` after `timeout`.
    public static func eventually(
        _ what: String, timeout: Duration = .seconds(15), _ condition: @Sendable () async throws -> Bool
    ) async throws {
        _ = try await eventuallyFound(what, timeout: timeout) { try await condition() ? true : nil }
    }

    /// Polls `value` until it is non-nil; throws `Timeout` after `timeout`.
    public static func eventuallyFound<T>(
        _ what: String, timeout: Duration = .seconds(15), _ value: @Sendable () async throws -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let found = try await value() { return found }
            guard ContinuousClock.now < deadline else { throw Timeout(what: what) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
