import AmpereDomain
import Foundation
import Testing

@testable import AmpereServer

/// A node's picture of the cluster, without a database: which other node holds a station (only one whose
/// lease runs), and presence changes that arrive late or out of order never undo a newer connection.
@Suite struct ClusterMembershipTests {
    static func date(_ seconds: Int) -> Date { Date(timeIntervalSince1970: 1_735_689_600 + Double(seconds)) }

    static func presence(_ station: String, on node: String, at seconds: Int, version: String = "1.6")
        -> StationPresence
    {
        StationPresence(stationId: station, nodeId: node, ocppVersion: version, connectedAt: date(seconds))
    }

    /// A membership of node_a that knows node_b and node_c until `lease`.
    static func membership(leasesUntil lease: Int = 1000) async throws -> ClusterMembership {
        let membership = ClusterMembership(nodeId: "node_a")
        try await membership.reloadLeases { ["node_a": date(lease), "node_b": date(lease), "node_c": date(lease)] }
        return membership
    }

    @Test func aStationOnAnotherLiveNodeHasThatHolder() async throws {
        let membership = try await Self.membership()
        let remote = Self.presence("CP1", on: "node_b", at: 1)
        membership.apply(.up(remote), leaseIfUnknown: Self.date(0))
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(10)) == remote)
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(10)) == nil)
    }

    @Test func thisNodesOwnStationsAreNotRemote() async throws {
        let membership = try await Self.membership()
        membership.apply(.up(Self.presence("CP1", on: "node_a", at: 1)), leaseIfUnknown: Self.date(1000))
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(10)) == nil)

        // Also when they come from a reload rather than an event.
        try await membership.reloadStations { [
            Self.presence("CP2", on: "node_a", at: 1), Self.presence("CP3", on: "node_b", at: 1),
        ] }
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(10)) == nil)
        #expect(membership.remoteHolder(of: "CP3", at: Self.date(10))?.nodeId == "node_b")
    }

    @Test func aNodeWhoseLeaseRanOutHoldsNothing() async throws {
        let membership = try await Self.membership(leasesUntil: 100)
        let remote = Self.presence("CP1", on: "node_b", at: 1)
        membership.apply(.up(remote), leaseIfUnknown: Self.date(1000))
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(100)) == remote)
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(101)) == nil)

        // A reload of the leases that no longer names the node.
        try await membership.reloadLeases { ["node_a": Self.date(1000)] }
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(10)) == nil)
    }

    @Test func theCensusCountsLiveNodesAndTheStationsTheOthersHold() async throws {
        let membership = try await Self.membership(leasesUntil: 100)
        try await membership.reloadLeases {
            ["node_a": Self.date(1000), "node_b": Self.date(1000), "node_c": Self.date(100)]
        }
        membership.apply(.up(Self.presence("CP1", on: "node_a", at: 1)), leaseIfUnknown: Self.date(1000))
        membership.apply(.up(Self.presence("CP2", on: "node_b", at: 1)), leaseIfUnknown: Self.date(1000))
        membership.apply(.up(Self.presence("CP3", on: "node_c", at: 1)), leaseIfUnknown: Self.date(1000))
        // This node's own station is not remote.
        #expect(membership.census(at: Self.date(50)) == (liveNodes: 3, remoteStations: 2))
        // node_c's lease ran out: neither it nor its station counts.
        #expect(membership.census(at: Self.date(500)) == (liveNodes: 2, remoteStations: 1))
        membership.apply(.down(Self.presence("CP2", on: "node_b", at: 1)), leaseIfUnknown: Self.date(1000))
        #expect(membership.census(at: Self.date(500)) == (liveNodes: 2, remoteStations: 0))
    }

    @Test func anOlderUpDoesNotReplaceANewerOne() async throws {
        let membership = try await Self.membership()
        let newer = Self.presence("CP1", on: "node_b", at: 20)
        membership.apply(.up(newer), leaseIfUnknown: Self.date(1000))
        membership.apply(.up(Self.presence("CP1", on: "node_c", at: 10)), leaseIfUnknown: Self.date(1000))
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(30)) == newer)

        // Whereas a newer one moves the station.
        let newest = Self.presence("CP1", on: "node_c", at: 30, version: "2.0.1")
        membership.apply(.up(newest), leaseIfUnknown: Self.date(1000))
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(30)) == newest)
    }

    @Test func aDownRemovesOnlyTheSessionItNames() async throws {
        let membership = try await Self.membership()
        let session = Self.presence("CP1", on: "node_b", at: 20)
        membership.apply(.up(session), leaseIfUnknown: Self.date(1000))

        // A late `down` of the station's previous connection, on this node or another.
        membership.apply(.down(Self.presence("CP1", on: "node_b", at: 10)), leaseIfUnknown: Self.date(1000))
        membership.apply(.down(Self.presence("CP1", on: "node_c", at: 20)), leaseIfUnknown: Self.date(1000))
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(30)) == session)

        membership.apply(.down(session), leaseIfUnknown: Self.date(1000))
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(30)) == nil)
    }

    @Test func aNodeThatLeftTakesItsStationsAndLeaseWithIt() async throws {
        let membership = try await Self.membership()
        membership.apply(.up(Self.presence("CP1", on: "node_b", at: 1)), leaseIfUnknown: Self.date(1000))
        membership.apply(.up(Self.presence("CP2", on: "node_b", at: 1)), leaseIfUnknown: Self.date(1000))
        let kept = Self.presence("CP3", on: "node_c", at: 1)
        membership.apply(.up(kept), leaseIfUnknown: Self.date(1000))

        membership.nodeLeft("node_b")
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(10)) == nil)
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(10)) == nil)
        #expect(membership.remoteHolder(of: "CP3", at: Self.date(10)) == kept)

        // The node's lease went too: when it comes back it is on the provisional lease, not its old one.
        let back = Self.presence("CP1", on: "node_b", at: 50)
        membership.apply(.up(back), leaseIfUnknown: Self.date(5))
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(5)) == back)
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(10)) == nil)
    }

    @Test func anUnknownNodeHeardInAnUpGetsTheProvisionalLease() async throws {
        // node_d started after the last lease reload.
        let membership = try await Self.membership(leasesUntil: 1000)
        let remote = Self.presence("CP1", on: "node_d", at: 1)
        membership.apply(.up(remote), leaseIfUnknown: Self.date(40))
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(40)) == remote)
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(41)) == nil)

        // A known node keeps its own lease, longer or shorter than the provisional one.
        membership.apply(.up(Self.presence("CP2", on: "node_b", at: 1)), leaseIfUnknown: Self.date(40))
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(500)) != nil)
        let short = ClusterMembership(nodeId: "node_a")
        try await short.reloadLeases { ["node_b": Self.date(20)] }
        short.apply(.up(Self.presence("CP2", on: "node_b", at: 1)), leaseIfUnknown: Self.date(40))
        #expect(short.remoteHolder(of: "CP2", at: Self.date(30)) == nil)
    }

    @Test func aStaleUpGivesItsNodeNoProvisionalLease() async throws {
        let membership = try await Self.membership(leasesUntil: 1000)
        membership.apply(.up(Self.presence("CP1", on: "node_b", at: 5)), leaseIfUnknown: Self.date(0))
        // node_e's connection of CP1 is older than node_b's: it changes nothing, the lease included.
        membership.apply(.up(Self.presence("CP1", on: "node_e", at: 1)), leaseIfUnknown: Self.date(40))
        let fresh = Self.presence("CP2", on: "node_e", at: 6)
        membership.apply(.up(fresh), leaseIfUnknown: Self.date(5))
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(5)) == fresh)
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(10)) == nil)
    }

    @Test func aReloadKeepsTheNewestConnectionOfAStation() async throws {
        let membership = try await Self.membership()
        let newest = Self.presence("CP1", on: "node_c", at: 20)
        try await membership.reloadStations { [
            Self.presence("CP1", on: "node_b", at: 10), newest, Self.presence("CP1", on: "node_b", at: 15),
        ] }
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(30)) == newest)
        // And it replaces what was there: a station gone from the reload is gone.
        try await membership.reloadStations { [] }
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(30)) == nil)
    }

    /// A reload reads a snapshot, and notifications keep coming while it reads: what they said
    /// survives the snapshot, which may predate them.
    @Test func changesHeardDuringAReloadSurviveItsOlderSnapshot() async throws {
        let membership = try await Self.membership()
        let gone = Self.presence("CP1", on: "node_b", at: 1)
        membership.apply(.up(gone), leaseIfUnknown: Self.date(1000))
        let arrived = Self.presence("CP2", on: "node_b", at: 5)
        let moved = Self.presence("CP3", on: "node_c", at: 6)
        try await membership.reloadStations {
            // Heard while the database was read; the snapshot is from before all three.
            membership.apply(.up(arrived), leaseIfUnknown: Self.date(1000))
            membership.apply(.down(gone), leaseIfUnknown: Self.date(1000))
            membership.apply(.up(moved), leaseIfUnknown: Self.date(1000))
            return [gone, Self.presence("CP3", on: "node_b", at: 2), Self.presence("CP4", on: "node_c", at: 3)]
        }
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(10)) == nil)
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(10)) == arrived)
        #expect(membership.remoteHolder(of: "CP3", at: Self.date(10)) == moved)
        #expect(membership.remoteHolder(of: "CP4", at: Self.date(10))?.nodeId == "node_c")

        // Once the reload is over, the next one starts from its own snapshot alone.
        try await membership.reloadStations { [] }
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(10)) == nil)
    }

    /// A node that left while the stations were read takes its stations with it, though the
    /// snapshot still had them.
    @Test func aNodeThatLeftDuringAReloadStaysGone() async throws {
        let membership = try await Self.membership()
        let kept = Self.presence("CP2", on: "node_c", at: 1)
        try await membership.reloadStations {
            membership.nodeLeft("node_b")
            return [Self.presence("CP1", on: "node_b", at: 1), kept]
        }
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(10)) == nil)
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(10)) == kept)
        // node_b back (restarted) with a station of its own: the old one is not among its stations.
        membership.apply(.up(Self.presence("CP9", on: "node_b", at: 20)), leaseIfUnknown: Self.date(1000))
        #expect(membership.remoteHolder(of: "CP9", at: Self.date(30))?.nodeId == "node_b")
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(30)) == nil)
    }

    /// Leases reloaded while events come: a node first heard from during the read keeps its
    /// provisional lease though the snapshot predates its own, and a node that left stays gone.
    @Test func leasesHeardDuringAReloadSurviveItsOlderSnapshot() async throws {
        let membership = try await Self.membership(leasesUntil: 1000)
        let newcomer = Self.presence("CP1", on: "node_d", at: 1)
        try await membership.reloadLeases {
            membership.apply(.up(newcomer), leaseIfUnknown: Self.date(40))
            membership.nodeLeft("node_c")
            return ["node_a": Self.date(1000), "node_b": Self.date(1000), "node_c": Self.date(1000)]
        }
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(40)) == newcomer)
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(41)) == nil)
        membership.apply(.up(Self.presence("CP2", on: "node_c", at: 50)), leaseIfUnknown: Self.date(60))
        // node_c's lease is the provisional one from this `up`, not the snapshot's.
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(61)) == nil)
        membership.apply(.up(Self.presence("CP3", on: "node_b", at: 50)), leaseIfUnknown: Self.date(60))
        #expect(membership.remoteHolder(of: "CP3", at: Self.date(500)) != nil)
    }

    /// A reload that fails changes nothing, and leaves no changes behind for the next one to replay.
    @Test func aFailedReloadChangesNothing() async throws {
        struct Unreachable: Error {}
        let membership = try await Self.membership()
        let kept = Self.presence("CP1", on: "node_b", at: 1)
        membership.apply(.up(kept), leaseIfUnknown: Self.date(1000))
        await #expect(throws: Unreachable.self) {
            try await membership.reloadStations {
                membership.apply(.up(Self.presence("CP2", on: "node_b", at: 2)), leaseIfUnknown: Self.date(1000))
                throw Unreachable()
            }
        }
        #expect(membership.remoteHolder(of: "CP1", at: Self.date(10)) == kept)
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(10)) != nil)
        try await membership.reloadStations { [kept] }
        #expect(membership.remoteHolder(of: "CP2", at: Self.date(10)) == nil)
    }
}

/// Routed calls waiting for their outcome: a reply is never lost whichever comes first, a wait gives up after
/// its timeout, and a reply that comes after that is dropped rather than answering a later wait.
@Suite(.timeLimit(.minutes(1))) struct ReplyWaitersTests {
    /// Long enough that returning true before it ran out means the reply was seen, not the clock.
    static let generous: Duration = .seconds(20)

    @Test func aReplyBeforeTheWaitIsNotLost() async {
        let waiters = ReplyWaiters()
        waiters.arrived(1, outcome: nil)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await waiters.wait(for: 1, timeout: Self.generous) == .stored)
        #expect(clock.now - start < .seconds(5))
        // Kept once: a second wait for the same id has nothing to take.
        #expect(await waiters.wait(for: 1, timeout: .milliseconds(100)) == .timedOut)
    }

    @Test func aReplyDuringTheWaitEndsIt() async {
        let waiters = ReplyWaiters()
        let clock = ContinuousClock()
        let start = clock.now
        async let answered = waiters.wait(for: 2, timeout: Self.generous)
        try? await Task.sleep(for: .milliseconds(100))
        waiters.arrived(2, outcome: nil)
        #expect(await answered == .stored)
        #expect(clock.now - start < .seconds(5))
    }

    @Test func aWaitWithoutReplyTimesOutWithFalse() async {
        let waiters = ReplyWaiters()
        // Another call's reply is not this one's.
        waiters.arrived(4, outcome: nil)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await waiters.wait(for: 3, timeout: .milliseconds(200)) == .timedOut)
        #expect(clock.now - start >= .milliseconds(200))
        #expect(await waiters.wait(for: 4, timeout: Self.generous) == .stored)
    }

    @Test func aLateReplyAfterTheTimeoutIsDropped() async {
        let waiters = ReplyWaiters()
        #expect(await waiters.wait(for: 5, timeout: .milliseconds(100)) == .timedOut)
        waiters.arrived(5, outcome: nil)
        // Kept as an early reply it would answer this at once.
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await waiters.wait(for: 5, timeout: .milliseconds(300)) == .timedOut)
        #expect(clock.now - start >= .milliseconds(300))
    }

    @Test func aCarriedOutcomeIsHandedOverAndABareCatchUpDoesNotHideIt() async {
        let waiters = ReplyWaiters()
        let outcome = ClusterCallOutcome.failure(status: 502, code: "call_error", message: "no", details: nil)
        waiters.arrived(6, outcome: outcome)
        // The catch-up after a reconnect finds the same call completed in the table.
        waiters.arrived(6, outcome: nil)
        #expect(await waiters.wait(for: 6, timeout: Self.generous) == .outcome(outcome))
        async let answered = waiters.wait(for: 7, timeout: Self.generous)
        try? await Task.sleep(for: .milliseconds(100))
        waiters.arrived(7, outcome: .result(#"{"status":"Accepted"}"#))
        #expect(await answered == .outcome(.result(#"{"status":"Accepted"}"#)))
    }

    @Test func manyConcurrentWaitsEachGetTheirReply() async {
        let waiters = ReplyWaiters()
        let ids = Array(100..<300)
        let clock = ContinuousClock()
        let start = clock.now
        let results = await withTaskGroup(of: (Int, ReplyWaiters.Reply).self) { group in
            for id in ids {
                group.addTask { (id, await waiters.wait(for: id, timeout: Self.generous)) }
            }
            // Replies race the waits: some come before theirs, some after, in an order of their own.
            for id in ids.shuffled() { waiters.arrived(id, outcome: .result("\(id)")) }
            return await group.reduce(into: [Int: ReplyWaiters.Reply]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == ids.count)
        let wrong = results.filter { $0.value != .outcome(.result("\($0.key)")) }.keys.sorted()
        #expect(wrong.isEmpty, "unanswered or answered with another's outcome: \(wrong)")
        #expect(clock.now - start < .seconds(10))
    }
}
