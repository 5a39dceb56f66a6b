/// The figures of one run of a station scenario (`connect`, `boot-storm`,
/// `steady`, `sessions`, `reconnect-storm`, `commands`), as the table and
/// `--json` print them.
public struct ScenarioResult: Sendable, Codable {
    public var scenario: String
    /// Charge points the scenario ran.
    public var stations: Int
    /// The measured window, in seconds (what it spans is the scenario's own: see its figures).
    public var seconds: Double
    /// Latency and counts per kind of call.
    public var calls: [CallFigures]
    /// The scenario's own figures, in the order the table prints them.
    public var figures: [Figure]
    /// What the server stored against what the stations sent, where the scenario checks it.
    public var storage: StorageCheck?
    /// The generator's own CPU over the window, percent of one core.
    public var generatorCPUPercent: Double
    /// The server's CPU over the window and its RSS at the end, with `--server-pid`.
    public var serverCPUPercent: Double?
    public var serverRSSBytes: Int?
    /// Why the run failed its own checks; empty when it passed.
    public var failures: [String]
    /// No failures: the command exits 0.
    public var passed: Bool

    /// One named number of a scenario, with its unit.
    public struct Figure: Sendable, Codable, Equatable {
        /// A lowerCamelCase name, stable for scripts (`connectRate`, `rssGrowthPerSessionBytes`).
        public var name: String
        public var value: Double
        public var unit: String

        public init(_ name: String, _ value: Double, _ unit: String) {
            self.name = name
            self.value = value
            self.unit = unit
        }
    }

    init(
        scenario: String, stations: Int, window: MeasuredWindow.Figures, calls: [CallFigures], figures: [Figure],
        storage: StorageCheck? = nil, failures: [String] = []
    ) {
        self.scenario = scenario
        self.stations = stations
        self.seconds = window.seconds
        self.calls = calls
        self.figures = figures
        self.storage = storage
        self.generatorCPUPercent = window.generatorCPUPercent
        self.serverCPUPercent = window.serverCPUPercent
        self.serverRSSBytes = window.serverRSSBytes
        var failures = failures
        if let storage, !storage.matches {
            failures.append("the server's store does not match what the stations sent (see the storage check)")
        }
        self.failures = failures
        self.passed = failures.isEmpty
    }

    /// The value of figure `name`, if the scenario has it.
    public func figure(_ name: String) -> Double? { figures.first { $0.name == name }?.value }

    /// The figures of calls named `name`.
    public func call(_ name: String) -> CallFigures? { calls.first { $0.call == name } }
}
