import AmpereBench
import ArgumentParser
import Foundation

/// Options every station scenario of `ampere bench` shares.
struct StationLoadOptions: ParsableArguments {
    @Option(help: "OCPP endpoint without the charge point id (ws:// only).") var url = "ws://127.0.0.1:8080/ocpp"
    @Option(name: [.customLong("stations"), .customLong("connections")], help: "Charge points.") var stations = 100
    @Option(help: "New connections per second while the stations connect; 0: all at once.") var rate = 1000.0
    @Option(help: "Charge point id prefix (default: one per scenario).") var idPrefix: String?
    @Option(help: "PID of the server, to report its CPU and RSS.") var serverPid: Int32?
    @Option(
        help: ArgumentHelp(
            "Loopback source addresses, 127.0.0.1 … 127.0.0.N: a number, or auto (one per 25,000 stations).",
            discussion: "One source address allows about 28,000 connections to one server port."))
    var sourceAddresses = "auto"
    @Option(help: "Seconds a call may go unanswered before it counts as a timeout.") var callTimeout = 30.0
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard stations > 0, rate >= 0, callTimeout > 0 else {
            throw ValidationError("--stations and --call-timeout must be positive, --rate not negative")
        }
        guard sourceAddresses == "auto" || (Int(sourceAddresses) ?? 0) >= 1 else {
            throw ValidationError("--source-addresses must be a positive number or auto")
        }
    }

    func load(idPrefix defaultPrefix: String, api: APICredentials? = nil) -> LoadOptions {
        let sources =
            Int(sourceAddresses).map(SourceAddresses.init(count:))
            ?? SourceAddresses.automatic(stations: stations, url: url)
        return LoadOptions(
            url: url, stations: stations, rate: rate, idPrefix: idPrefix ?? defaultPrefix, serverPid: serverPid,
            sourceAddresses: sources, callTimeout: .seconds(callTimeout), api: api)
    }
}

/// The REST API options of the scenarios that use it.
struct APIOptions: ParsableArguments {
    @Option(help: "REST API base URL (default: from --url, ws://h:p/ocpp → http://h:p).") var apiUrl: String?
    @Option(help: "Account to sign in with (default: $AMPERE_ADMIN_EMAIL).") var email: String?
    @Option(help: "Its password (default: $AMPERE_ADMIN_PASSWORD).") var password: String?

    /// The credentials, when an email and a password are given here or in the environment.
    func credentials(url: String) -> APICredentials? {
        let environment = ProcessInfo.processInfo.environment
        guard let email = email ?? environment["AMPERE_ADMIN_EMAIL"],
            let password = password ?? environment["AMPERE_ADMIN_PASSWORD"]
        else { return nil }
        guard let apiURL = apiUrl ?? BenchEndpoint(url: url)?.apiURL else { return nil }
        return APICredentials(url: apiURL, email: email, password: password)
    }

    /// The credentials, or a usage error naming what is missing.
    func requiredCredentials(url: String) throws -> APICredentials {
        guard let credentials = credentials(url: url) else {
            throw ValidationError(
                "this scenario uses the REST API: give --email and --password (or AMPERE_ADMIN_EMAIL and AMPERE_ADMIN_PASSWORD)"
            )
        }
        return credentials
    }
}

/// Prints a scenario's result and fails the command when its checks did.
enum BenchOutput {
    static func report(_ result: ScenarioResult, json: Bool) throws {
        try show(result, table: result.table, json: json)
        if !result.passed { throw ExitCode(1) }
    }

    /// Prints `result` as JSON, or its table.
    static func show(_ result: some Encodable, table: String, json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(table)
        }
    }

    /// Raises the open-file limit and says so when it is still too low for `stations`.
    static func prepare(stations: Int, json: Bool, what: String) {
        if let limit = OpenFileLimit.shortfall(forSockets: stations) {
            FileHandle.standardError.write(
                Data("warning: the open-file limit (\(limit)) is below \(stations) connections\n".utf8))
        }
        if !json { print(what) }
    }
}
