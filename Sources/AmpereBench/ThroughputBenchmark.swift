import Foundation
import HTTPTypes
import Logging
import NIOCore
import OCPPCore
import WSClient

/// `throughput`: as many OCPP round trips as the server sustains over K
/// connections, each keeping one call outstanding (OCPP-J allows no more).
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

        public init(
            url: String, connections: Int, duration: Duration, message: Message, idPrefix: String = "BENCH",
            serverPid: Int32? = nil
        ) {
            self.url = url
            self.connections = connections
            self.duration = duration
            self.message = message
            self.idPrefix = idPrefix
            self.serverPid = serverPid
        }
    }

    /// What one connection measured.
    struct ConnectionResult: Sendable {
        var roundTrips = 0
        var errors = 0
        var timeouts = 0
        var latencies: [UInt64] = []
    }

    public static func run(_ options: Options, logger: Logger) async throws -> LoadResult {
        let gate = StartGate(expected: options.connections)
        let deadline = DeadlineBox()
        var results: [ConnectionResult] = []
        var started: (clock: ContinuousClock.Instant, generator: ProcessStats?, server: ProcessStats?)?
        try await withThrowingTaskGroup(of: ConnectionResult?.self) { group in
            for index in 0..<options.connections {
                group.addTask {
                    let id = "\(options.idPrefix)-\(String(format: "%05d", index + 1))"
                    return await runConnection(id: id, options: options, gate: gate, deadline: deadline, logger: logger)
                }
            }
            // Open the gate once every connection is booted (or has failed to).
            group.addTask {
                await gate.waitForEveryone(until: .now + .seconds(120))
                return nil
            }
            while let result = try await group.next() {
                if let result {
                    results.append(result)
                } else {
                    started = (ContinuousClock.now, ProcessStats.current(), options.serverPid.flatMap(ProcessStats.read))
                    deadline.set(ContinuousClock.now + options.duration)
                    gate.open()
                }
            }
        }
        let ended = ContinuousClock.now
        let window = started.map { ended - $0.clock } ?? .zero
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        let roundTrips = results.reduce(0) { $0 + $1.roundTrips }
        func cpuPercent(_ before: ProcessStats?, _ after: ProcessStats?) -> Double? {
            guard let before, let after, seconds > 0 else { return nil }
            return (after.cpuSeconds - before.cpuSeconds) / seconds * 100
        }
        let serverAfter = options.serverPid.flatMap(ProcessStats.read)
        return LoadResult(
            scenario: "throughput-\(options.message.rawValue)", connections: options.connections, seconds: seconds,
            roundTrips: roundTrips, roundTripsPerSecond: seconds > 0 ? Double(roundTrips) / seconds : 0,
            errors: results.reduce(0) { $0 + $1.errors } + (options.connections - results.count),
            timeouts: results.reduce(0) { $0 + $1.timeouts },
            latencyMs: .init(micros: results.flatMap(\.latencies)),
            generatorCPUPercent: cpuPercent(started?.generator, ProcessStats.current()) ?? 0,
            serverCPUPercent: cpuPercent(started?.server, serverAfter), serverRSSBytes: serverAfter?.rssBytes)
    }

    /// One connection: boot, wait at the gate, then round trips until the deadline.
    static func runConnection(
        id: String, options: Options, gate: StartGate, deadline: DeadlineBox, logger: Logger
    ) async -> ConnectionResult {
        var headers = HTTPFields()
        headers[HTTPField.Name("Sec-WebSocket-Protocol")!] = "ocpp1.6"
        let outcome = ResultBox()
        do {
            try await WebSocketClient.connect(
                url: "\(options.url)/\(id)",
                configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: headers),
                logger: logger
            ) { inbound, outbound, _ in
                var result = ConnectionResult()
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                var counter = 0
                let base = Date()
                func roundTrip(_ frame: String, id messageId: String) async throws -> Bool {
                    try await outbound.write(.text(frame))
                    while let message = try await messages.next() {
                        guard case .text(let text) = message, let reply = try? OCPPMessage.parse(text) else { continue }
                        switch reply {
                        case .callResult(let answer) where answer.id == messageId: return true
                        case .callError(let answer) where answer.id == messageId: return false
                        case .call(let call):
                            // The central system may call a station; the benchmark declines.
                            let refusal = OCPPFrameWriter.callError(
                                id: call.id, code: .notSupported, description: "benchmark", version: .v16)
                            try await outbound.write(.text(String(decoding: refusal, as: UTF8.self)))
                        default: continue
                        }
                    }
                    throw CancellationError()
                }
                let boot = #"[2,"boot","BootNotification",{"chargePointVendor":"AmpereBench","chargePointModel":"Load"}]"#
                guard try await roundTrip(boot, id: "boot") else {
                    result.errors += 1
                    outcome.set(result)
                    return
                }
                outcome.arrived = true
                await gate.arriveAndWait()
                let end = deadline.get()
                while ContinuousClock.now < end {
                    counter += 1
                    let messageId = "m\(counter)"
                    let frame: String
                    switch options.message {
                    case .heartbeat:
                        frame = #"[2,"\#(messageId)","Heartbeat",{}]"#
                    case .meterValues:
                        let timestamp = OCPPDateTime.format(base.addingTimeInterval(Double(counter) / 1000))
                        frame = String(
                            decoding: CodecBenchmark.meterValuesFrame(
                                messageId: messageId, timestamp: timestamp, transactionId: nil),
                            as: UTF8.self)
                    }
                    let sent = ContinuousClock.now
                    let answered = try await roundTrip(frame, id: messageId)
                    let elapsed = ContinuousClock.now - sent
                    if answered {
                        result.roundTrips += 1
                        result.latencies.append(
                            UInt64(elapsed.components.seconds) * 1_000_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000_000))
                    } else {
                        result.errors += 1
                    }
                }
                outcome.set(result)
                try? await outbound.close(.normalClosure, reason: nil)
            }
        } catch {
            logger.debug("benchmark connection failed", metadata: ["id": "\(id)", "error": "\(error)"])
        }
        if !outcome.arrived { await gate.arriveAndWait() }
        var result = outcome.get() ?? ConnectionResult()
        if outcome.get() == nil { result.errors += 1 }
        return result
    }
}
