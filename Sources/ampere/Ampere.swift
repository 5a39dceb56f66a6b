import ArgumentParser

/// The `ampere` command line: the central system, the simulator and the benchmark.
@main
struct Ampere: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ampere",
        abstract: "Ampere, an OCPP central system.",
        subcommands: [ServeCommand.self, SimCommand.self, BenchCommand.self])
}
