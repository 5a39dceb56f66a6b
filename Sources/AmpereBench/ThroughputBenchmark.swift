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

    /// How the generator's connections make their calls.
    public enum Loop: String, Sendable, CaseIterable {
        /// Threads of the generator's own reading and writing the sockets directly (`EpollRoundTripLoop`);
        /// Linux only.
        case epoll
        /// A handler on each connection's NIO event loop (`RoundTripLoopHandler`).
        case nio

        /// `epoll` where there is one.
        public static var standard: Loop {
            #if os(Linux)
                .epoll
            #else
                .nio
            #endif
        }
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
        public var loop: Loop
        /// Threads of the `epoll` loop; nil: half the machine's cores (at least one), the other
        /// half being the server's when both share the machine.
        public var loopThreads: Int?
        /// The first part of the window, whose answered calls go out but are neither timed nor
        /// counted, nor the CPU spent in it: the connections' first calls all at once, and every
        /// cache still cold, are not the steady state (errors and timeouts count all the same).
        /// Zero measures the whole window.
        public var warmUp: Duration
        /// A file to write every measured call to, as CSV (`SampleFile`): when it was due and how
        /// long its answer took, to see when the slow ones came.
        public var samplesPath: String?

        public init(
            url: String, connections: Int, duration: Duration, message: Message, idPrefix: String = "BENCH",
            serverPid: Int32? = nil, rate: Double? = nil, loop: Loop = .standard, loopThreads: Int? = nil,
            warmUp: Duration = .zero, samplesPath: String? = nil
        ) {
            self.warmUp = warmUp
            self.samplesPath = samplesPath
            self.loop = loop
            self.loopThreads = loopThreads
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
        /// Each measured round trip's latency, µs.
        var latencies: [UInt64] = []
        /// When each of them was due, µs after the warm-up; kept only for `Options.samplesPath`.
        var dueTimes: [UInt64] = []
    }

    public static func run(_ options: Options, logger: Logger) async throws -> LoadResult {
        if let threads = options.loopThreads, threads < 1 { throw BenchOptionsError("--loop-threads must be at least 1") }
        if options.warmUp < .zero || options.warmUp >= options.duration {
            throw BenchOptionsError("--warm-up must be at least 0 and shorter than --duration")
        }
        if let rate = options.rate, !(rate > 0) { throw BenchOptionsError("--rate must be a positive number of round trips per second (0 on the command line: closed loop)") }
        #if !os(Linux)
            if options.loop == .epoll { throw BenchOptionsError("--loop epoll needs Linux; use --loop nio") }
        #endif
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
                    guard await station.connect(keepingDescriptor: options.loop == .epoll) else { return nil }
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

        if options.loop == .epoll {
            // The channels stop reading: from here the epoll loop reads their sockets.
            for connection in connections {
                try? await connection.channel.setOption(ChannelOptions.autoRead, value: false).get()
            }
        }

        // A common start a little ahead, so that every loop is in place before its first call is due.
        let start = NIODeadline.now() + .milliseconds(100)
        let window = StationContext.timeAmount(options.duration)
        let measuredFrom = start + StationContext.timeAmount(options.warmUp)
        let interval = options.rate.map { TimeAmount.nanoseconds(Int64(Double(options.connections) / $0 * 1e9)) }
        let firstMillis = CallSchedule.Plan.wholeMillis(Date())
        let plans = connections.indices.map { index in
            // Paced connections take turns across the interval instead of calling all at once.
            let phase = interval.map { TimeAmount.nanoseconds($0.nanoseconds * Int64(index) / Int64(connections.count)) }
            return CallSchedule.Plan(
                message: options.message, start: start, phase: phase ?? .zero, end: start + window,
                measuredFrom: measuredFrom, keepsDueTimes: options.samplesPath != nil, interval: interval, timeout: timeout,
                firstMillis: firstMillis)
        }
        // CPU counts from the end of the warm-up, as round trips do.
        let before = Task { () -> (generator: ProcessStats?, server: ProcessStats?) in
            let wait = measuredFrom - .now()
            if wait > .zero { try? await Task.sleep(nanoseconds: UInt64(wait.nanoseconds)) }
            return (ProcessStats.current(), options.serverPid.flatMap(ProcessStats.read))
        }
        let results: [ConnectionResult]
        switch options.loop {
        case .epoll:
            let threads = options.loopThreads ?? max(1, System.coreCount / 2)
            results = await runOnEpoll(connections, plans: plans, threads: threads, context: context)
        case .nio:
            results = try await runOnEventLoops(connections, plans: plans, context: context)
        }
        let ended = NIODeadline.now()
        let serverAfter = options.serverPid.flatMap(ProcessStats.read)
        let generatorAfter = ProcessStats.current()
        if options.loop == .epoll {
            // The channels read again, to close as every scenario's stations do.
            for connection in connections {
                connection.descriptor?.close()
                try? await connection.channel.setOption(ChannelOptions.autoRead, value: true).get()
            }
        }
        await withTaskGroup(of: Void.self) { closing in
            for connection in connections { closing.addTask { await connection.close() } }
        }

        let (generatorBefore, serverBefore) = await before.value
        let seconds = Double((ended - measuredFrom).nanoseconds) / 1e9
        if let path = options.samplesPath {
            try SampleFile.write(results, to: path)
        }
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

    /// Each connection's calls on `RoundTripLoopHandler`, on its channel's event loop.
    private static func runOnEventLoops(
        _ connections: [StationConnection], plans: [CallSchedule.Plan], context: StationContext
    ) async throws -> [ConnectionResult] {
        // Paced calls are woken by one ticker per event loop.
        var tickers: [ObjectIdentifier: PacedCallTicker] = [:]
        if let origin = plans.first?.start, plans.first?.interval != nil {
            for eventLoop in context.group.makeIterator() {
                let ticker = PacedCallTicker(eventLoop: eventLoop, origin: origin)
                tickers[ObjectIdentifier(eventLoop)] = ticker
                eventLoop.execute { ticker.start() }
            }
        }
        defer { for ticker in tickers.values { ticker.stop() } }
        var finished: [EventLoopFuture<ConnectionResult>] = []
        for (connection, plan) in zip(connections, plans) {
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
        var results: [ConnectionResult] = []
        for future in finished { results.append(try await future.get()) }
        return results
    }

    /// Every connection's calls on `threads` `EpollRoundTripLoop`s, each on a thread of its own,
    /// connections dealt to them in turn. On the 2-core machine of docs/PERFORMANCE.md one thread
    /// left the server more of the cores than two (Heartbeats closed loop: 47,000–52,000 round
    /// trips a second against 43,000–48,000, the generator at 50 % of a core against 61 %).
    private static func runOnEpoll(
        _ connections: [StationConnection], plans: [CallSchedule.Plan], threads: Int,
        context: StationContext
    ) async -> [ConnectionResult] {
        #if os(Linux)
            let threads = max(1, min(threads, connections.count))
            var shares = [[Int]](repeating: [], count: threads)
            var results = [ConnectionResult](repeating: ConnectionResult(errors: 1), count: connections.count)
            // A connection whose socket cannot be taken over counts as one error, as in `runOnEventLoops`.
            for index in connections.indices where connections[index].descriptor != nil {
                shares[index % threads].append(index)
            }
            await withTaskGroup(of: (share: [Int], results: [ConnectionResult]).self) { group in
                for share in shares where !share.isEmpty {
                    let loop = EpollRoundTripLoop(
                        sockets: share.map { connections[$0].descriptor!.value }, plans: share.map { plans[$0] },
                        serverCalls: context.serverCalls)
                    group.addTask {
                        let results = await withCheckedContinuation { continuation in
                            let thread = Thread { continuation.resume(returning: loop.run()) }
                            thread.name = "bench-epoll"
                            thread.start()
                        }
                        return (share, results)
                    }
                }
                for await (share, shareResults) in group {
                    for (index, result) in zip(share, shareResults) { results[index] = result }
                }
            }
            return results
        #else
            return connections.map { _ in ConnectionResult(errors: 1) }
        #endif
    }
}
