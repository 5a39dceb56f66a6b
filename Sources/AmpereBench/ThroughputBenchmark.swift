import Foundation
import Logging
import NIOCore

/// `throughput`: OCPP round trips over K connections, each keeping at most
/// one call outstanding (OCPP-J allows no more): as many as the server
/// sustains (closed loop), or a given rate on a fixed schedule (paced).
public enum ThroughputBenchmark {
    /// What each connection sends in its loop.
    public enum Message: String, Sendable, CaseIterable {
        case heartbeat
        /// MeterValues with ten sampled values, each message at a new timestamp (so each is stored).
        case meterValues = "meter-values"
    }

    public struct Options: Sendable {
        /// The OCPP endpoint without the id, e.g. `ws://127.0.0.1:8080/ocpp`.
        public var url: String
        public var connections: Int
        public var duration: Duration
        public var message: Message
        public var idPrefix: String
        public var serverPid: Int32?
        /// A call without an answer for this long counts as a timeout and ends its connection.
        public var callTimeout: Duration = .seconds(10)
        /// Round trips per second offered over all connections, each connection
        /// on a fixed schedule; nil: closed loop, each connection sends its
        /// next call as soon as the last is answered.
        public var rate: Double?

        public init(
            url: String, connections: Int, duration: Duration, message: Message, idPrefix: String = "BENCH",
            serverPid: Int32? = nil, rate: Double? = nil
        ) {
            self.url = url
            self.connections = connections
            self.duration = duration
            self.message = message
            self.idPrefix = idPrefix
            self.serverPid = serverPid
            self.rate = rate
        }
    }

    /// What one connection measured.
    struct ConnectionResult: Sendable {
        init(errors: Int = 0) { self.errors = errors }

        var roundTrips = 0
        var errors = 0
        var timeouts = 0
        var latencies: [UInt64] = []
    }

    public static func run(_ options: Options, logger: Logger) async throws -> LoadResult {
        if let rate = options.rate, !(rate > 0) { throw BenchOptionsError("--rate must be a positive number of round trips per second (0 on the command line: closed loop)") }
        let context = try StationContext(
            LoadOptions(
                url: options.url, stations: options.connections, rate: 0, idPrefix: options.idPrefix,
                serverPid: options.serverPid,
                sourceAddresses: .automatic(stations: options.connections, url: options.url),
                callTimeout: options.callTimeout))
        let timeout = context.callTimeout

        // Every connection connects and boots before the measured window opens.
        let boots = CallRecorder("BootNotification")
        let bootDeadline = context.options.bootDeadline()
        var connections: [StationConnection] = []
        await withTaskGroup(of: StationConnection?.self) { tasks in
            for index in 0..<options.connections {
                tasks.addTask {
                    var station = StationDriver(index: index, context: context)
                    guard await station.connect() else { return nil }
                    guard case .accepted = await station.boot(boots, until: bootDeadline) else {
                        await station.close()
                        return nil
                    }
                    return station.connection
                }
            }
            for await connection in tasks {
                if let connection { connections.append(connection) }
            }
        }
        if connections.count < options.connections {
            logger.warning(
                "connections that did not connect and boot count as errors",
                metadata: [
                    "failed": "\(options.connections - connections.count)",
                    "connectFailures": "\(context.connectFailures.load(ordering: .relaxed))",
                ])
        }

        // A common start a little ahead, so that every loop is in place before its first call is due.
        let start = NIODeadline.now() + .milliseconds(100)
        let window = StationContext.timeAmount(options.duration)
        let interval = options.rate.map { TimeAmount.nanoseconds(Int64(Double(options.connections) / $0 * 1e9)) }
        let firstTimestamp = Date()
        // Paced calls are woken by one ticker per event loop.
        var tickers: [ObjectIdentifier: PacedCallTicker] = [:]
        if interval != nil {
            for eventLoop in context.group.makeIterator() {
                let ticker = PacedCallTicker(eventLoop: eventLoop, origin: start)
                tickers[ObjectIdentifier(eventLoop)] = ticker
                eventLoop.execute { ticker.start() }
            }
        }
        var finished: [EventLoopFuture<ConnectionResult>] = []
        for (index, connection) in connections.enumerated() {
            // Paced connections take turns across the interval instead of calling all at once.
            let phase = interval.map { TimeAmount.nanoseconds($0.nanoseconds * Int64(index) / Int64(connections.count)) }
            let plan = RoundTripLoopHandler.Plan(
                message: options.message, start: start, phase: phase ?? .zero, end: start + window,
                interval: interval, timeout: timeout,
                firstTimestamp: firstTimestamp.addingTimeInterval(Double(index) * 1e-6))
            let channel = connection.channel
            let ticker = tickers[ObjectIdentifier(channel.eventLoop)]
            let done = channel.eventLoop.makePromise(of: ConnectionResult.self)
            channel.eventLoop.execute {
                do {
                    let operations = channel.pipeline.syncOperations
                    let station = try operations.handler(type: StationChannelHandler.self)
                    try operations.addHandler(RoundTripLoopHandler(plan: plan, ticker: ticker, done: done), position: .before(station))
                } catch {
                    done.succeed(ConnectionResult(errors: 1))
                }
            }
            finished.append(done.futureResult)
        }
        let generatorBefore = ProcessStats.current()
        let serverBefore = options.serverPid.flatMap(ProcessStats.read)
        var results: [ConnectionResult] = []
        for future in finished { results.append(try await future.get()) }
        let ended = NIODeadline.now()
        let serverAfter = options.serverPid.flatMap(ProcessStats.read)
        let generatorAfter = ProcessStats.current()
        for ticker in tickers.values { ticker.stop() }
        await withTaskGroup(of: Void.self) { closing in
            for connection in connections { closing.addTask { await connection.close() } }
        }

        let seconds = Double((ended - start).nanoseconds) / 1e9
        let roundTrips = results.reduce(0) { $0 + $1.roundTrips }
        func cpuPercent(_ before: ProcessStats?, _ after: ProcessStats?) -> Double? {
            guard let before, let after, seconds > 0 else { return nil }
            return (after.cpuSeconds - before.cpuSeconds) / seconds * 100
        }
        return LoadResult(
            scenario: "throughput-\(options.message.rawValue)", connections: options.connections, seconds: seconds,
            roundTrips: roundTrips, roundTripsPerSecond: seconds > 0 ? Double(roundTrips) / seconds : 0,
            errors: results.reduce(0) { $0 + $1.errors } + (options.connections - connections.count),
            timeouts: results.reduce(0) { $0 + $1.timeouts },
            latencyMs: .init(micros: results.flatMap(\.latencies)),
            generatorCPUPercent: cpuPercent(generatorBefore, generatorAfter) ?? 0,
            serverCPUPercent: cpuPercent(serverBefore, serverAfter), serverRSSBytes: serverAfter?.rssBytes,
            offeredPerSecond: options.rate)
    }
}
