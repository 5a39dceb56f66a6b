import AmpereBench
import ArgumentParser
import Foundation

/// `ampere bench`: load scenarios that print a results table, or JSON.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark scenario and print its figures.",
        subcommands: [CodecCommand.self])
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
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(best), as: UTF8.self))
        } else {
            print("scenario        frames   bytes/frame   seconds   frames/s")
            print(
                String(
                    format: "codec     %12d   %11d   %7.3f   %8.0f", best.frames, best.frameBytes, best.seconds,
                    best.framesPerSecond))
        }
    }
}
