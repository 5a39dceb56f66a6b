import AmpereSimulator
import Foundation
import Logging
import Testing

/// Fast settings, a running charge point and polling with a deadline, for
/// the tests against the real server.
enum SimTestSupport {
    static let logger: Logger = {
        var logger = Logger(label: "ampere-sim-test")
        logger.logLevel = .critical
        return logger
    }()

    /// A charge point with short intervals, that charges until told to stop.
    static func configuration(_ urls: [String], id: String, connectors: Int = 2) -> ChargePointConfiguration {
        var configuration = ChargePointConfiguration(urls: urls, id: id, connectors: connectors)
        configuration.backoff = ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(400))
        configuration.rebootDelay = .milliseconds(100)
        configuration.unplugDelay = 0.1
        configuration.meterValueSampleInterval = 0.2
        configuration.sessionDuration = 3600...3600
        configuration.callTimeout = .seconds(5)
        configuration.firmwareStepDelay = .milliseconds(100)
        configuration.bootRetryInterval = 0.5
        return configuration
    }

    /// A fleet of `count` charge points `prefix`-00001… made from `template`, sharing its counters and drivers.
    static func fleet(_ count: Int, prefix: String, template: ChargePointConfiguration) -> Simulator {
        Simulator(
            configuration: SimulatorConfiguration(count: count, idPrefix: prefix, template: template), logger: logger)
    }

    /// Runs `chargePoint` while `body` runs, then stops it.
    static func run<T: Sendable>(
        _ chargePoint: SimulatedChargePoint, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        try await run({ await chargePoint.run() }, body)
    }

    /// Runs `simulator` while `body` runs, then stops it.
    static func run<T: Sendable>(_ simulator: Simulator, _ body: @Sendable () async throws -> T) async throws -> T {
        try await run({ await simulator.run() }, body)
    }

    private static func run<T: Sendable>(
        _ work: @escaping @Sendable () async -> Void, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await work()
                return nil
            }
            do {
                let result = try await body()
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
