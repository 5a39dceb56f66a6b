import NIOCore
import NIOPosix
import Synchronization

/// What every station of a scenario shares: where to connect, the limits,
/// and counters of what happened to connections and boots.
final class StationContext: Sendable {
    let options: LoadOptions
    let endpoint: BenchEndpoint
    let callTimeout: TimeAmount
    let connectTimeout: TimeAmount
    let serverCalls = ServerCallCounter()
    let group: any EventLoopGroup
    /// Stations whose connections live on `apart` instead of `group`.
    private let apartStations: Range<Int>
    private let apart: (any EventLoopGroup)?

    /// Connections upgraded, and attempts that failed.
    let connects = Atomic(0)
    let connectFailures = Atomic(0)
    /// BootNotification answers by status.
    let bootsAccepted = Atomic(0)
    let bootsPending = Atomic(0)
    let bootsRejected = Atomic(0)

    /// Stations `apartStations` get connections on `apart`, an event loop
    /// group of their own, as if they ran on another machine.
    init(
        _ options: LoadOptions, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        apartStations: Range<Int> = 0..<0, apart: (any EventLoopGroup)? = nil
    ) throws {
        guard let endpoint = BenchEndpoint(url: options.url) else {
            throw BenchOptionsError(
                "--url must be ws://host:port/path (the generator does not speak TLS): \(options.url)")
        }
        guard options.stations > 0 else { throw BenchOptionsError("at least one station is needed") }
        if options.sourceAddresses.count > 1, !endpoint.isIPv4Loopback {
            throw BenchOptionsError("several source addresses work against a 127.x.x.x server only")
        }
        self.options = options
        self.endpoint = endpoint
        self.callTimeout = Self.timeAmount(options.callTimeout)
        self.connectTimeout = Self.timeAmount(options.connectTimeout)
        self.group = group
        self.apartStations = apartStations
        self.apart = apart
    }

    /// The event loop group station `index` connects on.
    func group(for index: Int) -> any EventLoopGroup {
        if let apart, apartStations.contains(index) { return apart }
        return group
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let parts = duration.components
        return .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }

    /// Connection and boot counters as figures.
    func connectionFigures() -> [ScenarioResult.Figure] {
        [
            .init("connections", Double(connects.load(ordering: .relaxed)), "count"),
            .init("connectFailures", Double(connectFailures.load(ordering: .relaxed)), "count"),
            .init("bootsAccepted", Double(bootsAccepted.load(ordering: .relaxed)), "count"),
            .init("bootsPending", Double(bootsPending.load(ordering: .relaxed)), "count"),
            .init("bootsRejected", Double(bootsRejected.load(ordering: .relaxed)), "count"),
        ]
    }

    /// Runs `body` for stations 0..<count, starting them at `rate` per
    /// second (all at once for 0); returns when every body has.
    static func launch(count: Int, rate: Double, _ body: @escaping @Sendable (Int) async -> Void) async {
        await paced(count: count, rate: rate) { index, _ in await body(index) }
    }

    /// Starts `body` for 0..<count, the `index`th at `index / rate` seconds from now (all at once
    /// when `rate` is 0), without waiting for earlier ones; `body` is told when it was due.
    static func paced(
        count: Int, rate: Double, _ body: @escaping @Sendable (Int, ContinuousClock.Instant) async -> Void
    ) async {
        let start = ContinuousClock.now
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                var due = start
                if rate > 0 {
                    due = start + .nanoseconds(Int64(Double(index) / rate * 1e9))
                    // Sleeping for less than a millisecond costs more than it paces.
                    if due - .now > .milliseconds(1) { try? await Task.sleep(until: due, clock: .continuous) }
                }
                group.addTask { [due] in await body(index, due) }
            }
        }
    }

    /// Runs `body` for 0..<count with at most `width` at once.
    static func concurrently(count: Int, width: Int, _ body: @escaping @Sendable (Int) async -> Void) async {
        await withDiscardingTaskGroup { group in
            var next = 0
            let semaphore = AsyncCounter()
            while next < count {
                await semaphore.acquire(limit: max(1, width))
                let index = next
                group.addTask {
                    await body(index)
                    semaphore.release()
                }
                next += 1
            }
        }
    }
}
