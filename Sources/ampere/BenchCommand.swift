import AmpereBench
import ArgumentParser
import Foundation
import Logging

/// `ampere bench`: load scenarios that print a results table, or JSON.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark scenario and print its figures.",
        subcommands: [
            CodecCommand.self, ThroughputCommand.self, ConnectCommand.self, BootStormCommand.self, SteadyCommand.self,
            SessionsCommand.self, ReconnectStormCommand.self, CommandsCommand.self,
        ])
}

/// `ampere bench codec`: the OCPP library's decode → validate → dispatch → encode path on one core.
struct CodecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Parse, validate, dispatch and answer 1.6 MeterValues frames (10 sampled values) on one core.")

    @Option(help: "Frames per round.") var frames = 1_000_000
    @Option(help: "Rounds; the best is reported (the first warms up).") var rounds = 3
    @Option(help: "Sampled values per frame.") var sampledValues = 10
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        var best: CodecBenchmark.Result?
        for round in 1...max(rounds, 1) {
            let result = await CodecBenchmark.run(frames: frames, sampledValues: sampledValues)
            if !json {
                print(String(format: "round %d/%d: %.0f frames/s", round, rounds, result.framesPerSecond))
            }
            if best == nil || result.framesPerSecond > best!.framesPerSecond { best = result }
        }
        guard let best else { return }
        let table =
            "scenario        frames   bytes/frame   seconds   frames/s\n"
            + String(
                format: "codec     %12d   %11d   %7.3f   %8.0f", best.frames, best.frameBytes, best.seconds,
                best.framesPerSecond)
        try BenchOutput.show(best, table: table, json: json)
    }
}

/// `ampere bench throughput`: OCPP round trips over many connections against any OCPP 1.6J server.
struct ThroughputCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throughput",
        abstract: "As many round trips as the server sustains over K connections (one call outstanding each).")

    @Option(help: "OCPP endpoint without the charge point id.") var url = "ws://127.0.0.1:8080/ocpp"
    @Option(help: "Connections (charge points).") var connections = 100
    @Option(help: "Seconds measured, after every connection has booted.") var duration = 10.0
    @Option(help: "heartbeat or meter-values (10 sampled values, each message stored).") var message = "heartbeat"
    @Option(help: "Charge point id prefix.") var idPrefix = "BENCH"
    @Option(help: "PID of the server, to report its CPU and RSS.") var serverPid: Int32?
    @Option(
        help: """
            Round trips per second offered over all connections, each connection on a fixed schedule, latency \
            counted from each call's due time; 0: closed loop, each connection sends its next call when the last \
            is answered.
            """)
    var rate = 0.0
    @Option(
        help: """
            How the generator makes its calls: epoll (Linux: threads of its own on the sockets, the least CPU \
            taken from a server on the same machine) or nio (a handler on each connection's event loop).
            """)
    var loop = ThroughputBenchmark.Loop.standard.rawValue
    @Option(help: "Threads of the epoll loop (default: half the cores, at least one).") var loopThreads: Int?
    @Option(
        help: """
            Seconds at the start of --duration whose calls go out but are not measured (latency, round trips, \
            CPU; errors and timeouts still count): the steady state, without the first calls all at once.
            """)
    var warmUp = 0.0
    @Option(
        help: """
            Write every measured call to this file as CSV (connection, due time and latency, µs), to see when \
            the slow answers came.
            """)
    var samples: String?
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        guard let kind = ThroughputBenchmark.Message(rawValue: message) else {
            throw ValidationError("--message must be heartbeat or meter-values")
        }
        guard let loop = ThroughputBenchmark.Loop(rawValue: loop) else { throw ValidationError("--loop must be epoll or nio") }
        guard connections > 0, duration > 0 else { throw ValidationError("--connections and --duration must be positive") }
        var logger = Logger(label: "ampere.bench")
        logger.logLevel = .warning
        if !json { print("connecting \(connections) charge points to \(url) …") }
        let result = try await ThroughputBenchmark.run(
            .init(
                url: url, connections: connections, duration: .seconds(duration), message: kind,
                idPrefix: idPrefix, serverPid: serverPid, rate: rate == 0 ? nil : rate, loop: loop,
                loopThreads: loopThreads, warmUp: .seconds(warmUp), samplesPath: samples),
            logger: logger)
        try BenchOutput.show(result, table: result.table, json: json)
    }
}
