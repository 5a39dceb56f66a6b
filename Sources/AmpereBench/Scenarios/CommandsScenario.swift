import Foundation
import NIOCore
import Synchronization

/// `commands`: REST → charge point → REST round trips. First repeated
/// `POST /api/v1/charging-stations/{id}/remote-start` over the connected
/// stations, which answer Accepted at once (think time is not measured);
/// then a fan-out of `calls/SetChargingProfile` to every station, a bounded
/// number in flight, timed as a whole. Every REST call must come back
/// answered by its station.
public enum CommandsScenario {
    /// What a run is told.
    public struct Options: Sendable {
        /// `load.api` is required.
        public var load: LoadOptions
        /// remote-start calls, spread round-robin over the stations.
        public var calls: Int
        /// remote-start calls in flight at once.
        public var concurrency: Int
        /// When set, remote-start calls start at this many per second on a fixed schedule, however
        /// many are in flight, and each one's latency counts from when it was due (so a server that
        /// falls behind shows its queue); `concurrency` is then not used.
        public var callRate: Double?
        /// SetChargingProfile calls in flight at once during the fan-out.
        public var fanOutConcurrency: Int
        /// remote-start calls sent first, as the measured ones will be, but not measured (latency,
        /// rate, CPU): the steady state, without a cold start's first calls. They must succeed too.
        public var warmUpCalls: Int

        public init(
            load: LoadOptions, calls: Int = 1000, concurrency: Int = 16, callRate: Double? = nil,
            fanOutConcurrency: Int = 256, warmUpCalls: Int = 0
        ) {
            self.load = load
            self.calls = calls
            self.concurrency = concurrency
            self.callRate = callRate
            self.fanOutConcurrency = fanOutConcurrency
            self.warmUpCalls = warmUpCalls
        }
    }

    /// A charge point max profile of 11 kW from now on: valid for any 1.6 station.
    static let chargingProfile =
        #"{"connectorId":0,"csChargingProfiles":{"chargingProfileId":4711,"stackLevel":0,"chargingProfilePurpose":"ChargePointMaxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":11000}]}}}"#

    /// Runs both phases. The measured window spans them both, once every
    /// station is connected; each phase's rate is over its own time.
    public static func run(_ options: Options) async throws -> ScenarioResult {
        guard let credentials = options.load.api else {
            throw BenchOptionsError("commands drives the REST API: give --email and --password")
        }
        guard options.calls >= 0, options.warmUpCalls >= 0, options.concurrency > 0, options.fanOutConcurrency > 0
        else {
            throw BenchOptionsError("--calls and --warm-up-calls must not be negative, concurrencies positive")
        }
        if let rate = options.callRate, !(rate > 0 && rate.isFinite) {
            throw BenchOptionsError("--call-rate must be a positive number of calls per second")
        }
        let context = try StationContext(options.load)
        let api = try await BenchAPI.signIn(credentials)
        defer { api.shutdown() }
        let runStart = ContinuousClock.now
        let stations = options.load.stations
        let boots = CallRecorder("BootNotification")
        let remoteStart = CallRecorder("REST remote-start")
        let warmUp = CallRecorder("REST remote-start, warm-up")
        let fanOut = CallRecorder("REST SetChargingProfile")
        let gate = StartGate(expected: stations)
        let ready = Locked<[String]>([])
        let bootLimit = options.load.bootDeadline()

        let run = await withTaskGroup(of: Phases?.self) { group in
            group.addTask {
                await StationContext.launch(count: stations, rate: options.load.rate) { index in
                    var station = StationDriver(index: index, context: context)
                    if case .accepted = await station.connectAndBoot(boots, until: bootLimit) {
                        ready.withLock { $0.append(station.id) }
                        await gate.arriveAndWait()
                    } else {
                        gate.giveUp()
                    }
                    await station.close()
                }
                return nil
            }
            group.addTask {
                await gate.waitForEveryone(until: bootLimit)
                let ids = ready.withLock { $0 }
                @Sendable func callRemoteStarts(_ count: Int, into recorder: CallRecorder) async {
                    guard !ids.isEmpty else { return }
                    @Sendable func callRemoteStart(_ call: Int, since start: ContinuousClock.Instant) async {
                        let id = BenchAPI.segment(ids[call % ids.count])
                        await send(
                            api, "/api/v1/charging-stations/\(id)/remote-start",
                            json: #"{"connectorId":1,"idTag":"BENCH-REMOTE"}"#, into: recorder, since: start)
                    }
                    if let rate = options.callRate {
                        await StationContext.paced(count: count, rate: rate) { call, due in
                            await callRemoteStart(call, since: due)
                        }
                    } else {
                        await StationContext.concurrently(count: count, width: options.concurrency) { call in
                            await callRemoteStart(call, since: .now)
                        }
                    }
                }
                await callRemoteStarts(options.warmUpCalls, into: warmUp)
                let window = MeasuredWindow(serverPid: options.load.serverPid)
                await callRemoteStarts(options.calls, into: remoteStart)
                let remoteStartSeconds = (.now - window.start).inSeconds
                let fanOutStart = ContinuousClock.now
                await StationContext.concurrently(count: ids.count, width: options.fanOutConcurrency) { index in
                    let id = BenchAPI.segment(ids[index])
                    await send(
                        api, "/api/v1/charging-stations/\(id)/calls/SetChargingProfile", json: chargingProfile,
                        into: fanOut)
                }
                let phases = Phases(
                    window: window.finish(), ready: ids.count, remoteStartSeconds: remoteStartSeconds,
                    fanOutSeconds: (.now - fanOutStart).inSeconds)
                gate.open()
                return phases
            }
            var phases: Phases?
            for await result in group where result != nil { phases = result }
            return phases!
        }

        let started = context.serverCalls.count(of: "RemoteStartTransaction")
        let profiles = context.serverCalls.count(of: "SetChargingProfile")
        let remoteFigures = remoteStart.figures(seconds: run.remoteStartSeconds)
        let warmUpAnswered = warmUp.answered
        let fanOutFigures = fanOut.figures(seconds: run.fanOutSeconds)
        var figures: [ScenarioResult.Figure] = [
            .init("stationsConnected", Double(run.ready), "count"),
            .init("remoteStartSeconds", run.remoteStartSeconds, "s"),
            .init("remoteStartsAnsweredByStations", Double(started - warmUpAnswered), "count"),
            .init("fanOutSeconds", run.fanOutSeconds, "s"),
            .init(
                "fanOutPerSecond", run.fanOutSeconds > 0 ? Double(fanOutFigures.count) / run.fanOutSeconds : 0,
                "calls/s"),
            .init("profilesAnsweredByStations", Double(profiles), "count"),
        ]
        if let rate = options.callRate { figures.append(.init("remoteStartOfferedPerSecond", rate, "calls/s")) }
        figures += context.connectionFigures()
        var failures: [String] = []
        if run.ready < stations { failures.append("\(stations - run.ready) of \(stations) stations did not boot") }
        if warmUpAnswered < options.warmUpCalls {
            failures.append("\(warmUpAnswered) of \(options.warmUpCalls) warm-up remote-start calls answered Accepted")
        }
        if remoteFigures.count < options.calls || started != remoteFigures.count + warmUpAnswered {
            failures.append(
                "\(remoteFigures.count) of \(options.calls) remote-start calls answered Accepted, \(started - warmUpAnswered) reached a station"
            )
        }
        if fanOutFigures.count < run.ready || profiles != fanOutFigures.count {
            failures.append(
                "\(fanOutFigures.count) of \(run.ready) SetChargingProfile calls answered Accepted, \(profiles) reached a station"
            )
        }
        return ScenarioResult(
            scenario: "commands", stations: stations, window: run.window,
            calls: [
                remoteFigures, fanOutFigures,
                boots.figures(seconds: (run.window.start - runStart).inSeconds),
            ], figures: figures,
            failures: failures)
    }

    private struct Phases: Sendable {
        var window: MeasuredWindow.Figures
        var ready: Int
        var remoteStartSeconds: Double
        var fanOutSeconds: Double
    }

    /// One REST call: 200 with `"status":"Accepted"` is an answer, 504 a timeout, anything else an error.
    private static func send(
        _ api: BenchAPI, _ path: String, json: String, into recorder: CallRecorder,
        since start: ContinuousClock.Instant = .now
    ) async {
        do {
            let reply = try await api.post(path, json: json)
            let elapsed = ContinuousClock.now - start
            struct Status: Decodable { var status: String }
            if reply.status == 200, (try? BenchAPI.decode(Status.self, reply.body))?.status == "Accepted" {
                recorder.recordLatency(elapsed)
            } else if reply.status == 504 {
                recorder.recordTimeout()
            } else {
                recorder.recordError()
            }
        } catch {
            recorder.recordError()
        }
    }
}
