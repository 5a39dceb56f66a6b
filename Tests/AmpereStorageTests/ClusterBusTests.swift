import AmpereDomain
import Foundation
import Logging
import Synchronization
import Testing

@testable import AmpereStorage

/// The PostgreSQL cluster bus against a real, fresh database: leases and their sweep, station presence
/// (a late `down` or an older `up` never undoes a newer connection), routed calls and their outcomes, and
/// the events each node hears on LISTEN/NOTIFY, including after its listening connection is lost.
/// Runs only when `AMPERE_TEST_POSTGRES_URL` names a server; otherwise it has no cases.
@Suite(.timeLimit(.minutes(2))) struct ClusterBusTests {
    static let servers: [ClusterTestServer] =
        StorageBackend.postgresServerURL.map { [ClusterTestServer(url: $0)] } ?? []

    static func presence(_ station: String, on node: String, at seconds: Int, version: String = "1.6")
        -> StationPresence
    {
        StationPresence(stationId: station, nodeId: node, ocppVersion: version, connectedAt: Fixtures.date(seconds))
    }

    // MARK: Leases

    @Test(arguments: servers)
    func aLeaseInThePastIsNotLiveAndRenewalMovesIt(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses in
            let bus = buses[0]
            try await bus.renewLease(nodeId: "node_a", until: Fixtures.date(100))
            try await bus.renewLease(nodeId: "node_b", until: Fixtures.date(10))
            #expect(try await bus.liveNodes(at: Fixtures.date(50)) == ["node_a": Fixtures.date(100)])
            // A lease ending exactly now still counts, as the sweep keeps it too.
            #expect(try await bus.liveNodes(at: Fixtures.date(10)).keys.sorted() == ["node_a", "node_b"])

            // A renewal replaces the end of the lease, also with an earlier one (a node's clock is its own).
            try await bus.renewLease(nodeId: "node_b", until: Fixtures.date(200))
            try await bus.renewLease(nodeId: "node_a", until: Fixtures.date(40))
            #expect(try await bus.liveNodes(at: Fixtures.date(50)) == ["node_b": Fixtures.date(200)])
        }
    }

    @Test(arguments: servers)
    func leaveRemovesTheNodeAndOnlyItsStations(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses in
            let bus = buses[0]
            try await bus.renewLease(nodeId: "node_a", until: Fixtures.date(100))
            try await bus.renewLease(nodeId: "node_b", until: Fixtures.date(100))
            let kept = Self.presence("CP3", on: "node_b", at: 1)
            try await bus.publish([
                .up(Self.presence("CP1", on: "node_a", at: 1)), .up(Self.presence("CP2", on: "node_a", at: 2)),
                .up(kept),
            ])
            #expect(try await bus.presence().count == 3)

            try await bus.leave(nodeId: "node_a")
            #expect(try await bus.liveNodes(at: Fixtures.date(0)) == ["node_b": Fixtures.date(100)])
            #expect(try await bus.presence() == [kept])
        }
    }

    @Test(arguments: servers)
    func sweepRemovesExpiredNodesTheirStationsAndOldCalls(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses in
            let bus = buses[0]
            try await bus.renewLease(nodeId: "node_old", until: Fixtures.date(10))
            try await bus.renewLease(nodeId: "node_edge", until: Fixtures.date(50))
            try await bus.renewLease(nodeId: "node_new", until: Fixtures.date(100))
            let edge = Self.presence("CP_EDGE", on: "node_edge", at: 1)
            let new = Self.presence("CP_NEW", on: "node_new", at: 1)
            try await bus.publish([
                .up(Self.presence("CP_OLD", on: "node_old", at: 1)), .up(edge), .up(new),
                // No lease at all (its node was swept or left while this was in flight): an orphan.
                .up(Self.presence("CP_GHOST", on: "node_ghost", at: 1)),
            ])
            let callId = try await bus.submit(
                ClusterCallRequest(
                    originNode: "node_new", targetNode: "node_edge", stationId: "CP_EDGE", action: "Reset",
                    payload: "{}", timeout: .seconds(5)))

            try await bus.sweep(before: Fixtures.date(50))
            // Ended before the cutoff goes; ending at the cutoff stays.
            #expect(try await bus.liveNodes(at: Fixtures.date(0)).keys.sorted() == ["node_edge", "node_new"])
            #expect(Set(try await bus.presence()) == [edge, new])
            // Calls are dated by the wall clock: one made now is newer than a 2025 cutoff.
            #expect(try await bus.pendingCalls(for: "node_edge") == [callId])

            try await bus.sweep(before: Date().addingTimeInterval(-3600))
            #expect(try await bus.pendingCalls(for: "node_edge") == [callId])
            try await bus.sweep(before: Date().addingTimeInterval(60))
            #expect(try await bus.pendingCalls(for: "node_edge") == [])
            #expect(try await bus.call(callId) == nil)
            #expect(try await bus.takeOutcome(callId) == nil)
        }
    }

    // MARK: Presence

    @Test(arguments: servers)
    func upThenDownOfTheSameSessionRemovesIt(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses in
            let bus = buses[0]
            let session = Self.presence("CP1", on: "node_a", at: 5, version: "2.0.1")
            let other = Self.presence("CP2", on: "node_a", at: 5)
            try await bus.publish([.up(session), .up(other)])
            #expect(Set(try await bus.presence()) == [session, other])

            try await bus.publish([.down(session)])
            #expect(try await bus.presence() == [other])

            // Both in one batch: applied in order, so nothing is left.
            let brief = Self.presence("CP3", on: "node_b", at: 7)
            try await bus.publish([.up(brief), .down(brief)])
            #expect(try await bus.presence() == [other])
        }
    }

    /// A failover's batch: thousands of changes, a station coming, going and coming back within it,
    /// another station's older `up` after its newer one. Written a run at a time, the outcome is
    /// the one of applying them one by one.
    @Test(arguments: servers)
    func aLargeMixedBatchEndsAsIfAppliedOneByOne(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses in
            let bus = buses[0]
            var changes: [PresenceChange] = (0..<2500).map { .up(Self.presence("CP\($0)", on: "node_a", at: 5)) }
            let first = Self.presence("BACK", on: "node_a", at: 1)
            let again = Self.presence("BACK", on: "node_b", at: 2)
            let newer = Self.presence("KEPT", on: "node_b", at: 9)
            changes += [.up(first), .down(first), .up(again), .up(newer), .up(Self.presence("KEPT", on: "node_a", at: 3))]
            changes += (0..<1200).map { .down(Self.presence("CP\($0)", on: "node_a", at: 5)) }
            try await bus.publish(changes)
            let left = try await bus.presence()
            #expect(left.count == 1300 + 2)
            #expect(Set(left.filter { !$0.stationId.hasPrefix("CP") }) == [again, newer])
            #expect(!left.contains { $0.stationId == "CP0" || $0.stationId == "CP1199" })
            #expect(left.contains { $0.stationId == "CP1200" })
        }
    }

    @Test func presenceRunsSplitAtAKindChangeARepeatedStationAndAThousand() {
        let a = Self.presence("A", on: "n", at: 1)
        let b = Self.presence("B", on: "n", at: 1)
        let runs = PostgresClusterBus.statementRuns([.up(a), .up(b), .up(a), .down(a), .down(b)])
        #expect(runs == [[.up(a), .up(b)], [.up(a)], [.down(a), .down(b)]])
        let many: [PresenceChange] = (0..<2001).map { .up(Self.presence("S\($0)", on: "n", at: 1)) }
        #expect(PostgresClusterBus.statementRuns(many).map(\.count) == [1000, 1000, 1])
        #expect(PostgresClusterBus.statementRuns([]).isEmpty)
    }

    /// One character can be thousands of bytes (combining marks): such an id must not cost the
    /// batch it is in, which would stop the node's presence publishing for good.
    @Test(arguments: servers)
    func anIdTooLongForANotificationIsStoredWithoutFailingItsBatch(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses in
            let bus = buses[0]
            let huge = Self.presence("e" + String(repeating: "\u{301}", count: 1400), on: "node_a", at: 5)
            #expect(huge.stationId.count == 1)
            let plain = Self.presence("CP1", on: "node_a", at: 5)
            try await bus.publish([.up(plain), .up(huge)])
            #expect(Set(try await bus.presence()) == [plain, huge])
        }
    }

    @Test(arguments: servers)
    func aLateDownOrAnOlderUpNeverUndoesANewerConnection(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses in
            let bus = buses[0]
            let old = Self.presence("CP1", on: "node_a", at: 10)
            let new = Self.presence("CP1", on: "node_b", at: 20)
            try await bus.publish([.up(old), .up(new)])
            #expect(try await bus.presence() == [new])

            // node_a hears its old socket close only now.
            try await bus.publish([.down(old)])
            #expect(try await bus.presence() == [new])
            // Same time but another node, and same node but another time: neither is this session.
            try await bus.publish([
                .down(Self.presence("CP1", on: "node_a", at: 20)), .down(Self.presence("CP1", on: "node_b", at: 19)),
            ])
            #expect(try await bus.presence() == [new])

            // An older connection's `up` published late.
            try await bus.publish([.up(Self.presence("CP1", on: "node_c", at: 15))])
            #expect(try await bus.presence() == [new])

            // A newer one does replace it, whatever node it is on.
            let newest = Self.presence("CP1", on: "node_a", at: 30, version: "2.0.1")
            try await bus.publish([.up(newest)])
            #expect(try await bus.presence() == [newest])
        }
    }

    @Test(arguments: servers)
    func manyChangesAreSplitOverNotificationsAndAllArrive(server: ClusterTestServer) async throws {
        try await server.withBuses(2) { buses in
            let listener = EventRecorder(buses[1].events(nodeId: "node_b"))
            defer { listener.stop() }
            try await listener.expect(.resynchronize)

            // Each escaped id is ~430 bytes: 100 of them need several notifications under the 8000-byte limit.
            let stations = (0..<100).map { index in
                Self.presence(String(repeating: "⚡", count: 45) + "\(index)", on: "node_a", at: index)
            }
            try await buses[0].publish(stations.map(PresenceChange.up))
            #expect(Set(try await buses[0].presence()) == Set(stations))
            let heard = await listener.wait { events in
                events.filter { if case .presence(.up) = $0 { true } else { false } }.count >= stations.count
            }
            #expect(heard, "heard \(listener.events.count) of \(stations.count) presence changes")
            #expect(Array(listener.events.dropFirst()) == stations.map { .presence(.up($0)) })
        }
    }

    // MARK: Events

    @Test(arguments: servers)
    func presenceAndDepartureReachEveryNode(server: ClusterTestServer) async throws {
        try await server.withListeningNodes { a, b, onA, onB in
            #expect(onA.events.first == .resynchronize)
            #expect(onB.events.first == .resynchronize)

            let station = Self.presence("CP\t1\n%41 ü", on: "node_b", at: 3, version: "2.0.1")
            try await b.renewLease(nodeId: "node_b", until: Fixtures.date(100))
            try await b.publish([.up(station)])
            try await onA.expect(.presence(.up(station)))
            // The publisher hears its own change too: the shared channel is for every node.
            try await onB.expect(.presence(.up(station)))

            try await b.publish([.down(station)])
            try await onA.expect(.presence(.down(station)))

            try await b.leave(nodeId: "node_b")
            try await onA.expect(.nodeLeft("node_b"))
            #expect(
                onA.events == [
                    .resynchronize, .presence(.up(station)), .presence(.down(station)), .nodeLeft("node_b"),
                ])
        }
    }

    @Test(arguments: servers)
    func routedCallsAreHeardAndTheirStatementsAnsweredOnTheBusEventLoop(server: ClusterTestServer) async throws {
        try await server.withBuses(2) { buses in
            let (a, b) = (buses[0], buses[1])
            let heardOnLoop = Mutex<[Bool]>([])
            let events = b.events(nodeId: "node_b") { event in
                guard case .callQueued = event else { return false }
                heardOnLoop.withLock { $0.append(b.eventLoop.inEventLoop) }
                return true
            }
            let recorder = EventRecorder(events)
            defer { recorder.stop() }
            try await recorder.expect(.resynchronize)

            let request = ClusterCallRequest(
                originNode: "node_a", targetNode: "node_b", stationId: "CP1", action: "Reset",
                payload: #"{"type":"Soft"}"#, timeout: .seconds(5))
            let id = try await a.submit(request)
            #expect(await recorder.wait { _ in !heardOnLoop.withLock { $0 }.isEmpty })
            #expect(heardOnLoop.withLock { $0 } == [true])

            // A task on the bus's executor runs on that loop, and stays there across a statement,
            // whose connection lives on the same loop.
            let stayed = await Task(executorPreference: b.executor) { () -> [Bool] in
                let before = b.eventLoop.inEventLoop
                try? await b.complete(id, origin: "node_a", outcome: .result(#"{"status":"Accepted"}"#))
                return [before, b.eventLoop.inEventLoop]
            }.value
            #expect(stayed == [true, true])
            for connection in b.dedicated {
                #expect(try await connection.withConnection { $0.eventLoop === b.eventLoop })
            }
        }
    }

    @Test(arguments: servers)
    func callsRepliesAndCommandsReachOnlyTheirNode(server: ClusterTestServer) async throws {
        try await server.withListeningNodes { a, b, onA, onB in

            let request = ClusterCallRequest(
                originNode: "node_a", targetNode: "node_b", stationId: "CP 1\tü", action: "Reset",
                payload: #"{"type":"Soft"}"#, timeout: .milliseconds(5250))
            let id = try await a.submit(request)
            // The call and its outcome ride in the notifications.
            try await onB.expect(.callQueued(id, request))
            try await b.complete(id, origin: "node_a", outcome: .result(#"{"status":"Accepted"}"#))
            try await onA.expect(.callCompleted(id, .result(#"{"status":"Accepted"}"#)))
            // Too big for a notification: only the id comes, and the row holds the rest.
            var big = request
            big.payload = #"{"data":""# + String(repeating: "x", count: 7100) + #""}"#
            let bigId = try await a.submit(big)
            try await onB.expect(.callQueued(bigId, nil))
            #expect(try await b.call(bigId) == big)
            try await b.complete(bigId, origin: "node_a", outcome: .result(big.payload))
            try await onA.expect(.callCompleted(bigId, nil))
            #expect(try await a.takeOutcome(bigId) == .result(big.payload))

            let station = "CP 2/ü\t%20"
            try await a.send(.disconnect(stationId: station), to: "node_b")
            try await onB.expect(.command(.disconnect(stationId: station)))
            try await a.send(.registration(stationId: station, status: .rejected), to: "node_b")
            try await onB.expect(.command(.registration(stationId: station, status: .rejected)))

            // Notifications reach a listener in commit order: once these markers arrive, anything
            // misrouted to the wrong node earlier would have arrived before them.
            try await b.send(.disconnect(stationId: "marker_a"), to: "node_a")
            try await a.send(.disconnect(stationId: "marker_b"), to: "node_b")
            try await onA.expect(.command(.disconnect(stationId: "marker_a")))
            try await onB.expect(.command(.disconnect(stationId: "marker_b")))
            #expect(
                onA.events == [
                    .resynchronize, .callCompleted(id, .result(#"{"status":"Accepted"}"#)), .callCompleted(bigId, nil),
                    .command(.disconnect(stationId: "marker_a")),
                ])
            #expect(
                onB.events == [
                    .resynchronize, .callQueued(id, request), .callQueued(bigId, nil),
                    .command(.disconnect(stationId: station)),
                    .command(.registration(stationId: station, status: .rejected)),
                    .command(.disconnect(stationId: "marker_b")),
                ])
        }
    }

    @Test(arguments: servers)
    func concurrentCallsShareStatementsAndEachNotificationGoesWithItsOwnCall(server: ClusterTestServer) async throws {
        try await server.withListeningNodes { a, b, onA, onB in
            let count = 300
            func request(_ index: Int) -> ClusterCallRequest {
                ClusterCallRequest(
                    originNode: "node_a", targetNode: "node_b", stationId: "CP\t\(index)", action: "DataTransfer",
                    payload: #"{"vendorId":"\#(index)"}"#, timeout: .milliseconds(1000 + index))
            }
            // Results, and failures with and without details, mixed in every batch.
            @Sendable func outcome(_ index: Int) -> ClusterCallOutcome {
                switch index % 6 {
                case 0: .failure(status: 400 + index % 100, code: "c\(index)", message: "m\(index)", details: nil)
                case 3: .failure(status: 502, code: "e\(index)", message: "", details: #"{"errorCode":"\#(index)"}"#)
                default: .result(#"{"status":"\#(index)"}"#)
                }
            }
            let ids = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for index in 0..<count { group.addTask { (index, try await a.submit(request(index))) } }
                return try await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
            }
            #expect(Set(ids.values).count == count)
            #expect(a.submissions.flushes < count)
            let queued = await onB.wait { $0.count == count + 1 }
            #expect(queued, "heard \(onB.events.count - 1) of \(count) calls")
            for (index, id) in ids { #expect(onB.events.contains(.callQueued(id, request(index)))) }
            for (index, id) in ids { #expect(try await b.call(id) == request(index)) }

            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in ids {
                    group.addTask { try await b.complete(id, origin: "node_a", outcome: outcome(index)) }
                }
                try await group.waitForAll()
            }
            #expect(b.completions.flushes < count)
            let replied = await onA.wait { $0.count == count + 1 }
            #expect(replied, "heard \(onA.events.count - 1) of \(count) replies")
            for (index, id) in ids {
                #expect(onA.events.contains(.callCompleted(id, outcome(index))))
                #expect(try await a.takeOutcome(id) == outcome(index))
            }
        }
    }

    @Test(arguments: servers)
    func anOutcomeTheDatabaseRefusesFailsOnlyItsOwnCompletion(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses in
            let bus = buses[0]
            let request = ClusterCallRequest(
                originNode: "node_a", targetNode: "node_b", stationId: "CP1", action: "Reset",
                payload: #"{"type":"Hard"}"#, timeout: .seconds(5))
            var ids: [Int] = []
            for _ in 0..<20 { ids.append(try await bus.submit(request)) }
            // PostgreSQL's text holds no NUL character: that one row is refused.
            let refused = ids[7]
            let results = await withTaskGroup(of: (Int, Bool).self) { group in
                for id in ids {
                    group.addTask {
                        let message = id == refused ? "bad\u{0}" : "fine"
                        let outcome = ClusterCallOutcome.failure(status: 409, code: "x", message: message, details: nil)
                        return (id, (try? await bus.complete(id, origin: "node_a", outcome: outcome)) != nil)
                    }
                }
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(results[refused] == false)
            for id in ids where id != refused {
                #expect(results[id] == true)
                #expect(
                    try await bus.takeOutcome(id)
                        == .failure(status: 409, code: "x", message: "fine", details: nil))
            }
            #expect(try await bus.takeOutcome(refused) == nil)
        }
    }

    @Test(arguments: servers)
    func aLostListeningConnectionResynchronizesAndKeepsListening(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses, storage in
            let bus = buses[0]
            let events = EventRecorder(bus.events(nodeId: "node_a"))
            defer { events.stop() }
            try await events.expect(.resynchronize)

            // The listening session is the one whose last statement was a LISTEN.
            try await storage.executeForTesting([
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'
                """
            ])
            let resynchronized = await events.wait { $0.filter { $0 == .resynchronize }.count == 2 }
            #expect(resynchronized, "events after the connection was killed: \(events.events)")

            let station = Self.presence("CP1", on: "node_a", at: 1)
            try await bus.publish([.up(station)])
            try await events.expect(.presence(.up(station)))
            try await bus.send(.disconnect(stationId: "CP1"), to: "node_a")
            try await events.expect(.command(.disconnect(stationId: "CP1")))
        }
    }

    // MARK: Calls

    @Test(arguments: servers)
    func aCallIsReadBackAndItsResultTakenOnce(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses in
            let bus = buses[0]
            let request = ClusterCallRequest(
                originNode: "node_a", targetNode: "node_b", stationId: "CP\t1 ü", action: "DataTransfer",
                payload: #"{"vendorId":"x","data":"tab\tnewline\n ü"}"#, timeout: .milliseconds(2500))
            let id = try await bus.submit(request)
            let second = try await bus.submit(request)
            #expect(id != second)

            #expect(try await bus.pendingCalls(for: "node_b") == [id, second])
            #expect(try await bus.call(id) == request)
            #expect(try await bus.call(id + second + 1000) == nil)
            // Claimed: heard twice (a notification and a catch-up after a reconnect), it still runs once.
            #expect(try await bus.call(id) == nil)
            #expect(try await bus.pendingCalls(for: "node_b") == [second])
            // Asking for an outcome that is not there must not consume the call.
            #expect(try await bus.takeOutcome(id) == nil)
            #expect(try await bus.completedCalls(among: [id, second]) == [])

            try await bus.complete(id, origin: "node_a", outcome: .result(#"{"status":"Accepted"}"#))
            #expect(try await bus.completedCalls(among: [id, second]) == [id])
            #expect(try await bus.call(id) == nil)
            #expect(try await bus.takeOutcome(id) == .result(#"{"status":"Accepted"}"#))
            #expect(try await bus.takeOutcome(id) == nil)
            // The other call is untouched.
            #expect(try await bus.call(second) == request)
            // Discarded (its origin had the outcome from the notification): gone, the others kept.
            let third = try await bus.submit(request)
            try await bus.complete(second, origin: "node_a", outcome: .result("{}"))
            try await bus.discardCalls([second, id + second + third + 1000])
            #expect(try await bus.completedCalls(among: [second, third]) == [])
            #expect(try await bus.takeOutcome(second) == nil)
            #expect(try await bus.pendingCalls(for: "node_b") == [third])
            try await bus.discardCalls([])
        }
    }

    /// Calls and outcomes go over connections of their own, outside the pool: one that the
    /// server ends is made again for the next statement.
    @Test(arguments: servers)
    func callsAndOutcomesGoOnAfterTheirConnectionsAreKilled(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses, storage in
            let bus = buses[0]
            let request = ClusterCallRequest(
                originNode: "node_a", targetNode: "node_b", stationId: "CP1", action: "Reset", payload: "{}",
                timeout: .seconds(30))
            let before = try await bus.submit(request)
            try await bus.complete(before, origin: "node_a", outcome: .result("{}"))
            // Fails unless both sessions, the call's and the outcome's, were there to end.
            try await storage.executeForTesting([
                """
                DO $$ BEGIN
                    IF (SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE datname = current_database() AND pid <> pg_backend_pid()
                            AND query LIKE 'WITH %cluster_calls%') < 2
                    THEN RAISE EXCEPTION 'fewer than two sessions ended'; END IF;
                END $$
                """
            ])
            // The first statement after may still meet the closed connection, and then fails as
            // unavailable (503 to a REST caller), never as a database error; a later one succeeds.
            func retried<T>(_ body: () async throws -> T) async throws -> T? {
                for _ in 0..<20 {
                    do {
                        return try await body()
                    } catch let error as StorageError {
                        #expect(error.code == .unavailable, "\(error)")
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return nil
            }
            let id = try #require(try await retried { try await bus.submit(request) })
            let completed: Void? = try await retried {
                try await bus.complete(id, origin: "node_a", outcome: .result(#"{"ok":1}"#))
            }
            #expect(completed != nil)
            #expect(try await bus.takeOutcome(id) == .result(#"{"ok":1}"#))
        }
    }

    @Test(arguments: servers)
    func failuresRoundTripWithAndWithoutDetails(server: ClusterTestServer) async throws {
        try await server.withBuses(1) { buses in
            let bus = buses[0]
            let request = ClusterCallRequest(
                originNode: "node_a", targetNode: "node_b", stationId: "CP1", action: "Reset", payload: "{}",
                timeout: .seconds(30))
            let withDetails = try await bus.submit(request)
            let without = try await bus.submit(request)
            #expect(try await bus.call(withDetails)?.timeout == .seconds(30))

            let detailed = ClusterCallOutcome.failure(
                status: 502, code: "call_error", message: "the station answered NotSupported ü",
                details: #"{"errorCode":"NotSupported","errorDetails":{}}"#)
            let bare = ClusterCallOutcome.failure(
                status: 504, code: "timeout", message: "no answer in time", details: nil)
            try await bus.complete(withDetails, origin: "node_a", outcome: detailed)
            try await bus.complete(without, origin: "node_a", outcome: bare)
            #expect(try await bus.takeOutcome(without) == bare)
            #expect(try await bus.takeOutcome(withDetails) == detailed)
            #expect(try await bus.takeOutcome(withDetails) == nil)
        }
    }

    // MARK: Payloads (no database)

    static let awkwardStationIds = [
        "CP\t1", "CP\n2", "CP\r\n3", "100%", "%41", "%", "%zz", "Ladesäule-Größe-⚡️", "e\u{301}", "\u{301}CP",
        "a b/c?d#e&f=g+h;i", "名前", "CP\u{0}9", "plain", "CP-01_a.b~c:d@e",
    ]

    @Test func escapedStationIdsHoldNoSeparatorsAndComeBackUnchanged() throws {
        for id in Self.awkwardStationIds {
            let escaped = PostgresClusterBus.escape(id)
            #expect(!escaped.contains("\t") && !escaped.contains("\n") && !escaped.contains("\r"), "\(escaped)")
            // All ASCII: nothing in it can join a separator into one Character.
            #expect(escaped.unicodeScalars.allSatisfy { $0.isASCII }, "\(escaped)")
            #expect(PostgresClusterBus.unescape(escaped) == id, "\(id.debugDescription) → \(escaped)")
        }
    }

    @Test func sharedPayloadsCarryAwkwardStationIds() throws {
        let lines = Self.awkwardStationIds.enumerated().map { index, id in
            "\(index.isMultiple(of: 2) ? "up" : "down")\tnode_b\t2.0.1\t\(1_735_689_600_000 + index)\t"
                + PostgresClusterBus.escape(id)
        }
        let events = PostgresClusterBus.parseShared(lines.joined(separator: "\n"))
        let expected: [ClusterEvent] = Self.awkwardStationIds.enumerated().map { index, id in
            let presence = StationPresence(
                stationId: id, nodeId: "node_b", ocppVersion: "2.0.1", connectedAt: Fixtures.date(0, ms: index))
            return .presence(index.isMultiple(of: 2) ? .up(presence) : .down(presence))
        }
        #expect(events == expected)
        #expect(PostgresClusterBus.parseShared("left\tnode_c") == [.nodeLeft("node_c")])
    }

    @Test func nodePayloadsCarryAwkwardStationIds() throws {
        for id in Self.awkwardStationIds {
            let escaped = PostgresClusterBus.escape(id)
            let payload = "call\t7\nreply\t8\ndisconnect\t\(escaped)\nregistration\tPending\t\(escaped)"
            #expect(
                PostgresClusterBus.parseNode(payload) == [
                    .callQueued(7, nil), .callCompleted(8, nil), .command(.disconnect(stationId: id)),
                    .command(.registration(stationId: id, status: .pending)),
                ])
        }
    }

    @Test func callsAndOutcomesComeBackFromTheirNotificationLines() throws {
        for id in Self.awkwardStationIds {
            let request = ClusterCallRequest(
                originNode: "node_a", targetNode: "node_b", stationId: id, action: "DataTransfer",
                payload: #"{"data":"tab\t ü %41"}"#, timeout: .milliseconds(1500))
            #expect(PostgresClusterBus.parseNode("call\t9" + PostgresClusterBus.inline(request)) == [.callQueued(9, request)])
        }
        let outcomes: [ClusterCallOutcome] = [
            .result(#"{"status":"Accepted"}"#), .result(""),
            .failure(status: 502, code: "call_error", message: "the station said\tno\n%41 ü", details: #"{"a":1}"#),
            .failure(status: 504, code: "timeout", message: "", details: nil),
            .failure(status: 409, code: "not_connected", message: "x", details: ""),
        ]
        for outcome in outcomes {
            #expect(PostgresClusterBus.parseNode("reply\t9" + PostgresClusterBus.inline(outcome)) == [.callCompleted(9, outcome)])
        }
        // Text that would break the line, or a notification too big, is left to the table.
        var pretty = ClusterCallRequest(
            originNode: "node_a", targetNode: "node_b", stationId: "CP1", action: "Reset",
            payload: "{\n\t\"type\": \"Soft\"\r\n}", timeout: .seconds(1))
        #expect(PostgresClusterBus.inline(pretty) == "")
        pretty.payload = String(repeating: " ", count: PostgresClusterBus.maxPayload)
        #expect(PostgresClusterBus.inline(pretty) == "")
        #expect(PostgresClusterBus.inline(.result("[\n]")) == "")
    }

    @Test func malformedSharedLinesAreIgnoredAndTheRestKept() throws {
        let good = "up\tnode_b\t1.6\t1735689600000\tCP1"
        let malformed = [
            "", "up", "up\tnode_b\t1.6\t1735689600000", "up\tnode_b\t1.6\t1735689600000\tCP1\textra",
            "up\tnode_b\t1.6\tsoon\tCP1", "down\tnode_b\t1.6\t17356896000.5\tCP1", "down\tnode_b\t1.6\t1\t%zz",
            "sideways\tnode_b\t1.6\t1\tCP1", "left", "left\tnode_b\textra", "UP\tnode_b\t1.6\t1\tCP1",
            "call\t1",
        ]
        for line in malformed {
            #expect(PostgresClusterBus.parseShared(line).isEmpty, "\(line.debugDescription)")
        }
        let mixed = ([good] + malformed + [good]).joined(separator: "\n")
        let presence = StationPresence(
            stationId: "CP1", nodeId: "node_b", ocppVersion: "1.6", connectedAt: Fixtures.date(0))
        #expect(PostgresClusterBus.parseShared(mixed) == [.presence(.up(presence)), .presence(.up(presence))])
    }

    @Test func malformedNodeLinesAreIgnoredAndTheRestKept() throws {
        let malformed = [
            "", "call", "call\t", "call\tseven", "call\t1\t2", "reply\t1.5", "reply", "disconnect",
            "disconnect\tCP1\textra", "disconnect\t%zz", "registration\tAccepted", "registration\tBogus\tCP1",
            "registration\taccepted\tCP1", "registration\tAccepted\t%zz", "up\tnode_b\t1.6\t1\tCP1", "left\tnode_b",
            "call\t1\ta\tb\t500\tCP1\tReset", "call\t1\ta\tb\tsoon\tCP1\tReset\t{}",
            "call\t1\ta\tb\t500\t%zz\tReset\t{}", "call\t1\ta\tb\t500\tCP1\tReset\t{}\textra",
            "reply\t1\tresult", "reply\t1\tresult\t{}\textra", "reply\t1\tsuccess\t{}",
            "reply\t1\tfailure\t502\tcode", "reply\t1\tfailure\tbad\tcode\tmessage",
            "reply\t1\tfailure\t502\t%zz\tmessage", "reply\t1\tfailure\t502\tcode\tmessage\t{}\textra",
        ]
        for line in malformed {
            #expect(PostgresClusterBus.parseNode(line).isEmpty, "\(line.debugDescription)")
        }
        let mixed = (["call\t3"] + malformed + ["registration\tAccepted\tCP1"]).joined(separator: "\n")
        #expect(
            PostgresClusterBus.parseNode(mixed) == [
                .callQueued(3, nil), .command(.registration(stationId: "CP1", status: .accepted)),
            ])
    }
}

/// A PostgreSQL server to make fresh databases on (its URL stays out of the test names).
struct ClusterTestServer: Sendable, CustomTestStringConvertible {
    var url: String
    var testDescription: String { "PostgreSQL" }

    /// Runs `body` with `count` buses (nodes) on a fresh database with its schema; closes and drops it all afterwards.
    func withBuses(
        _ count: Int, _ body: ([PostgresClusterBus], PostgresStorage) async throws -> Void
    ) async throws {
        let logger = StorageBackend.logger
        let name = "ampere_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let databaseURL = try await PostgresDatabases.create(serverURL: url, name: name, logger: logger)
        var storage: PostgresStorage?
        var buses: [PostgresClusterBus] = []
        func cleanUp() async throws {
            for bus in buses { await bus.close() }
            try await storage?.close()
            try await PostgresDatabases.drop(serverURL: url, name: name, logger: logger)
        }
        do {
            // The bus needs the schema the storage creates.
            storage = try await PostgresStorage.open(url: databaseURL, logger: logger)
            for _ in 0..<count { buses.append(try await PostgresClusterBus(url: databaseURL, logger: logger)) }
            try await body(buses, storage!)
        } catch {
            try? await cleanUp()
            throw error
        }
        try await cleanUp()
    }

    func withBuses(_ count: Int, _ body: ([PostgresClusterBus]) async throws -> Void) async throws {
        try await withBuses(count) { buses, _ in try await body(buses) }
    }

    /// Runs `body` with the buses of `node_a` and `node_b` and what each hears, once both listen.
    func withListeningNodes(
        _ body: (PostgresClusterBus, PostgresClusterBus, EventRecorder, EventRecorder) async throws -> Void
    ) async throws {
        try await withBuses(2) { buses in
            let onA = EventRecorder(buses[0].events(nodeId: "node_a"))
            let onB = EventRecorder(buses[1].events(nodeId: "node_b"))
            defer {
                onA.stop()
                onB.stop()
            }
            try await onA.expect(.resynchronize)
            try await onB.expect(.resynchronize)
            try await body(buses[0], buses[1], onA, onB)
        }
    }
}

/// Collects a node's events as they come, so that tests can wait for one with a time limit.
final class EventRecorder: Sendable {
    private final class Log: Sendable {
        let events = Mutex<[ClusterEvent]>([])
    }
    private let log = Log()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<ClusterEvent>) {
        let log = log
        task = Task {
            for await event in stream { log.events.withLock { $0.append(event) } }
        }
    }

    var events: [ClusterEvent] { log.events.withLock { $0 } }

    /// Ends the stream, which closes its listening connection.
    func stop() { task.cancel() }

    /// Whether `condition` holds of the events heard within `timeout`.
    func wait(timeout: Duration = .seconds(10), _ condition: ([ClusterEvent]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition(events) {
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Fails the test unless `event` is heard within `timeout`.
    func expect(
        _ event: ClusterEvent, timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let heard = await wait(timeout: timeout) { $0.contains(event) }
        try #require(heard, "not heard within \(timeout): \(event); heard \(events)", sourceLocation: sourceLocation)
    }
}
