import AmpereDomain
import Foundation
import Logging
import PostgresKit
import PostgresNIO
import SQLKit

/// The cluster's meeting point on PostgreSQL: tables for leases, presence and
/// routed calls, and LISTEN/NOTIFY to tell nodes of changes at once.
///
/// It has a small pool of its own whose sessions commit without waiting for
/// the disk (`synchronous_commit=off`): presence and routed calls are
/// ephemeral, and the latency of a routed command matters more. Events are
/// heard on a dedicated connection, re-established after a failure.
///
/// Channels: `ampere_cluster` (presence, every node) and `ampere_node_<id>`
/// (calls, replies and commands for one node). A notification carries lines
/// of tab-separated fields; station ids are percent-escaped in them.
public final class PostgresClusterBus: ClusterBus {
    static let sharedChannel = "ampere_cluster"
    /// NOTIFY payloads must stay under 8000 bytes.
    static let maxPayload = 7000

    private let location: PostgresLocation
    private let client: PostgresClient
    private let clientTask: Task<Void, Never>
    private let logger: Logger
    /// The listener's and the batchers' connections all live on this event loop, and work that
    /// waits on them runs there too (`executor`): a notification, the task it starts and the
    /// statement that task sends then share one thread instead of waking another at each step.
    let eventLoop: any EventLoop
    public let executor: (any TaskExecutor)?
    /// Routed calls and their outcomes, each kind batched while a statement of its kind runs.
    let submissions: StatementBatcher<ClusterCallRequest, Int>
    let completions: StatementBatcher<Completion, Void>
    /// The connections of the two batchers, for routed calls and for their outcomes.
    let dedicated: [DedicatedConnection]
    /// The most calls (or outcomes) one statement carries.
    static let maxBatch = 200

    /// How every session of the cluster's runs: see `init`.
    static let sessionSettings = [("synchronous_commit", "off"), ("enable_seqscan", "off"), ("jit", "off")]

    /// Connections of the pool always open: presence and leases seldom need more.
    static let keptConnections = 2

    /// Connects to the database `url` names (its schema must exist: open the storage first).
    public init(url: String, logger: Logger) async throws {
        var location = try PostgresLocation(url: url)
        // Routed calls and their outcomes have connections of their own (below); the pool serves
        // presence, leases, and reads.
        location.maximumConnections = 4
        self.location = location
        self.logger = logger
        var configuration = location.clientConfiguration()
        // No sequential scans where a key can find the rows: the batched outcome's prepared plan
        // is made once, while `cluster_calls` is still small, and a scan chosen then went on
        // reading the table's every page as it grew (hundreds of pages of rows since removed).
        // Where a scan is the only way (a table read whole), its cost is then counted as huge,
        // which would have PostgreSQL compile the statement (JIT, some 30 ms): no JIT either,
        // which none of these small statements could gain from.
        configuration.options.additionalStartupParameters = Self.sessionSettings
        // Half kept open: PostgresNIO gives a connection above the minimum an idle timer each time
        // it goes back to the pool (a task group and a sleeping task; thousands a second while
        // routed statements went through the pool), and it leases the lowest-numbered free one,
        // so the kept ones carry the usual load.
        configuration.options.minimumConnections = Self.keptConnections
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        let eventLoop = PostgresConnection.defaultEventLoopGroup.next()
        self.eventLoop = eventLoop
        executor = EventLoopExecutor(eventLoop: eventLoop)
        // Each batcher runs one statement at a time: a connection of its own each.
        let callConnection = try DedicatedConnection(
            location: location, settings: Self.sessionSettings, eventLoop: eventLoop, logger: logger)
        let outcomeConnection = try DedicatedConnection(
            location: location, settings: Self.sessionSettings, eventLoop: eventLoop, logger: logger)
        dedicated = [callConnection, outcomeConnection]
        submissions = StatementBatcher(maxBatch: Self.maxBatch) { try await Self.submitBatch($0, callConnection) }
        completions = StatementBatcher(maxBatch: Self.maxBatch) { try await Self.completeBatch($0, outcomeConnection) }
        clientTask = await client.startRunning()
    }

    /// Stops the pool; event streams end when their consumers stop.
    public func close() async {
        for connection in dedicated { await connection.close() }
        clientTask.cancel()
        await clientTask.value
    }

    static let nodeChannelPrefix = "ampere_node_"
    static func nodeChannel(_ nodeId: String) -> String { nodeChannelPrefix + nodeId }

    // MARK: Leases and presence

    public func renewLease(nodeId: String, until: Date) async throws {
        try await run { db in
            try await db.raw(
                """
                INSERT INTO cluster_nodes (id, lease_until) VALUES (\(bind: nodeId), \(bind: Millis.from(until)))
                ON CONFLICT (id) DO UPDATE SET lease_until = excluded.lease_until
                """
            ).run()
        }
    }

    public func liveNodes(at now: Date) async throws -> [String: Date] {
        try await run { db in
            let rows = try await db.raw(
                "SELECT id, lease_until FROM cluster_nodes WHERE lease_until >= \(bind: Millis.from(now))"
            ).all()
            var nodes: [String: Date] = [:]
            for row in rows { nodes[try row.value("id", as: String.self)] = try row.date("lease_until") }
            return nodes
        }
    }

    public func leave(nodeId: String) async throws {
        try await transaction { db in
            try await db.raw("DELETE FROM station_presence WHERE node_id = \(bind: nodeId)").run()
            try await db.raw("DELETE FROM cluster_nodes WHERE id = \(bind: nodeId)").run()
            try await Self.notify(db, Self.sharedChannel, ["left\t\(nodeId)"])
        }
    }

    public func sweep(before cutoff: Date) async throws {
        let cutoff = Millis.from(cutoff)
        try await transaction { db in
            try await db.raw(
                """
                DELETE FROM station_presence WHERE node_id IN (
                    SELECT id FROM cluster_nodes WHERE lease_until < \(bind: cutoff))
                    OR node_id NOT IN (SELECT id FROM cluster_nodes)
                """
            ).run()
            try await db.raw("DELETE FROM cluster_nodes WHERE lease_until < \(bind: cutoff)").run()
            try await db.raw("DELETE FROM cluster_calls WHERE created_at < \(bind: cutoff)").run()
        }
    }

    public func publish(_ changes: [PresenceChange]) async throws {
        guard !changes.isEmpty else { return }
        try await transaction { db in
            for run in Self.statementRuns(changes) {
                switch run.first {
                case .up:
                    // An older connection's late `up` never replaces a newer one.
                    let rows = run.compactMap { change -> SQLQueryString? in
                        guard case .up(let presence) = change else { return nil }
                        return """
                            (\(bind: presence.stationId), \(bind: presence.nodeId), \(bind: presence.ocppVersion),
                                \(bind: Millis.from(presence.connectedAt)))
                            """
                    }
                    try await db.raw(
                        "INSERT INTO station_presence (station_id, node_id, ocpp_version, connected_at) VALUES "
                            + rows.joined(separator: ", ")
                            + """
                                 ON CONFLICT (station_id) DO UPDATE SET node_id = excluded.node_id,
                                    ocpp_version = excluded.ocpp_version, connected_at = excluded.connected_at
                                WHERE station_presence.connected_at <= excluded.connected_at
                                """
                    ).run()
                case .down:
                    let sessions = run.compactMap { change -> SQLQueryString? in
                        guard case .down(let presence) = change else { return nil }
                        return "(\(bind: presence.stationId), \(bind: presence.nodeId), \(bind: Millis.from(presence.connectedAt)))"
                    }
                    try await db.raw(
                        "DELETE FROM station_presence WHERE (station_id, node_id, connected_at) IN ("
                            + sessions.joined(separator: ", ") + ")"
                    ).run()
                case nil:
                    continue
                }
            }
            try await Self.notify(db, Self.sharedChannel, changes.map { change in
                switch change {
                case .up(let presence): "up\t" + Self.fields(presence)
                case .down(let presence): "down\t" + Self.fields(presence)
                }
            })
        }
    }

    /// Cuts `changes` into runs that one statement each can apply, in order: changes of one
    /// kind, no station twice (an upsert may touch a row once), at most 1,000 (bind limits).
    static func statementRuns(_ changes: [PresenceChange]) -> [[PresenceChange]] {
        var runs: [[PresenceChange]] = []
        var current: [PresenceChange] = []
        var stations: Set<String> = []
        for change in changes {
            let (isUp, stationId): (Bool, String) =
                switch change {
                case .up(let presence): (true, presence.stationId)
                case .down(let presence): (false, presence.stationId)
                }
            let sameKind: Bool =
                switch current.first {
                case .up: isUp
                case .down: !isUp
                case nil: true
                }
            if !sameKind || stations.contains(stationId) || current.count == 1000 {
                runs.append(current)
                current = []
                stations = []
            }
            current.append(change)
            stations.insert(stationId)
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    public func presence() async throws -> [StationPresence] {
        try await run { db in
            try await db.raw("SELECT station_id, node_id, ocpp_version, connected_at FROM station_presence").all().map {
                StationPresence(
                    stationId: try $0.value("station_id"), nodeId: try $0.value("node_id"),
                    ocppVersion: try $0.value("ocpp_version"), connectedAt: try $0.date("connected_at"))
            }
        }
    }

    // MARK: Routed calls

    // Each step of a routed call is one statement, committed on its own: the row and its
    // notification go together (a data-modifying WITH runs whether or not it is read), and
    // a round trip to the database costs more here than anything else a routed call does.
    // The call rides in its notification, and the outcome in the reply's, when they fit: the
    // target then need not read the row, nor the origin take it (it discards rows in batches).
    // The row stays the record for a node that missed a notification.

    public func submit(_ call: ClusterCallRequest) async throws -> Int {
        try await submissions.run(call)
    }

    /// Queues `calls` in one statement and returns their ids in order. The ids are drawn before
    /// the rows are written, so that each notification goes with its own call.
    private static func submitBatch(
        _ calls: [ClusterCallRequest], _ connection: DedicatedConnection
    ) async throws -> [Int] {
        let now = Millis.from(Date())
        if calls.count == 1 { return [try await submitOne(calls[0], at: now, connection)] }
        let answered = try await execute(SubmitClusterCalls(calls: calls, createdAt: now), connection)
        var ids = [Int?](repeating: nil, count: calls.count)
        for (ord, id) in answered where ids.indices.contains(ord - 1) { ids[ord - 1] = id }
        return try ids.map { id in
            guard let id else { throw StorageError(.database, reason: "a routed call got no id") }
            return id
        }
    }

    /// One call alone: a prepared statement, which PostgreSQL neither parses nor plans again.
    private static func submitOne(
        _ call: ClusterCallRequest, at now: Int, _ connection: DedicatedConnection
    ) async throws -> Int {
        let ids = try await execute(SubmitClusterCall(call: call, createdAt: now), connection)
        guard let id = ids.first else { throw StorageError(.database, reason: "a routed call got no id") }
        return id
    }

    public func call(_ id: Int) async throws -> ClusterCallRequest? {
        try await run { db in
            try await db.raw(
                """
                UPDATE cluster_calls SET outcome_kind = 'running' WHERE id = \(bind: id) AND outcome_kind IS NULL
                RETURNING origin_node, target_node, station_id, action, payload, timeout_ms
                """
            ).first().map {
                ClusterCallRequest(
                    originNode: try $0.value("origin_node"), targetNode: try $0.value("target_node"),
                    stationId: try $0.value("station_id"), action: try $0.value("action"),
                    payload: try $0.value("payload"), timeout: .milliseconds(try $0.value("timeout_ms", as: Int.self)))
            }
        }
    }

    public func complete(_ id: Int, origin: String, outcome: ClusterCallOutcome) async throws {
        try await completions.run(Completion(id: id, origin: origin, outcome: outcome))
    }

    /// A routed call's outcome, stored and sent to the node that waits for it.
    struct Completion: Sendable {
        var id: Int
        var origin: String
        var outcome: ClusterCallOutcome
    }

    /// Stores `completions` in one statement and notifies their origins; a call whose row is gone
    /// (swept) is not notified, as its origin gave up long ago.
    private static func completeBatch(
        _ completions: [Completion], _ connection: DedicatedConnection
    ) async throws -> [Void] {
        if completions.count == 1 {
            try await completeOne(completions[0], connection)
            return [()]
        }
        _ = try await execute(CompleteClusterCalls(completions: completions), connection)
        return completions.map { _ in () }
    }

    /// One outcome alone: a prepared statement, which PostgreSQL neither parses nor plans again.
    private static func completeOne(_ completion: Completion, _ connection: DedicatedConnection) async throws {
        _ = try await execute(
            CompleteClusterCall(id: completion.id, origin: completion.origin, outcome: completion.outcome), connection)
    }

    public func discardCalls(_ ids: [Int]) async throws {
        guard !ids.isEmpty else { return }
        try await run { db in
            try await db.raw("DELETE FROM cluster_calls WHERE id = ANY(\(bind: ids))").run()
        }
    }

    /// The fields of `call` that follow its id in the notification, or "" when they do not fit
    /// (the payload is the last field and must hold no separator; JSON text never needs one).
    static func inline(_ call: ClusterCallRequest) -> String {
        let fields = [
            escape(call.originNode), escape(call.targetNode), String(milliseconds(call.timeout)),
            escape(call.stationId), escape(call.action), call.payload,
        ]
        return inlineFields(fields)
    }

    /// A call's timeout as the table and the notification hold it.
    static func milliseconds(_ duration: Duration) -> Int {
        let parts = duration.components
        return Int(parts.seconds) * 1000 + Int(parts.attoseconds / 1_000_000_000_000_000)
    }

    /// The fields of `outcome` that follow the call's id in the reply's notification, or "" when they do not fit.
    static func inline(_ outcome: ClusterCallOutcome) -> String {
        switch outcome {
        case .result(let payload):
            return inlineFields(["result", payload])
        case .failure(let status, let code, let message, let details):
            let fields = ["failure", String(status), escape(code), escape(message)]
            return inlineFields(fields + (details.map { [$0] } ?? []))
        }
    }

    private static func inlineFields(_ fields: [String]) -> String {
        guard fields.allSatisfy({ !$0.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 13 }) }) else { return "" }
        let text = "\t" + fields.joined(separator: "\t")
        return text.utf8.count <= maxPayload ? text : ""
    }

    public func takeOutcome(_ id: Int) async throws -> ClusterCallOutcome? {
        try await run { db in
            guard
                let row = try await db.raw(
                    """
                    DELETE FROM cluster_calls WHERE id = \(bind: id) AND outcome_kind IN ('result', 'failure')
                    RETURNING outcome_kind, outcome, status, code, message
                    """
                ).first()
            else { return nil }
            if try row.value("outcome_kind", as: String.self) == "result" {
                return .result(try row.value("outcome"))
            }
            return .failure(
                status: try row.value("status"), code: try row.value("code"), message: try row.value("message"),
                details: try row.value("outcome"))
        }
    }

    public func pendingCalls(for nodeId: String) async throws -> [Int] {
        try await run { db in
            try await db.raw(
                "SELECT id FROM cluster_calls WHERE target_node = \(bind: nodeId) AND outcome_kind IS NULL ORDER BY id"
            ).all().map { try $0.value("id", as: Int.self) }
        }
    }

    public func completedCalls(among ids: [Int]) async throws -> [Int] {
        guard !ids.isEmpty else { return [] }
        let list = SQLQueryString(ids.map(String.init).joined(separator: ", "))
        return try await run { db in
            try await db.raw(
                "SELECT id FROM cluster_calls WHERE outcome_kind IN ('result', 'failure') AND id IN (" + list + ")")
                .all().map { try $0.value("id", as: Int.self) }
        }
    }

    public func send(_ command: ClusterCommand, to nodeId: String) async throws {
        let line: String
        switch command {
        case .disconnect(let stationId): line = "disconnect\t" + Self.escape(stationId)
        case .registration(let stationId, let status): line = "registration\t\(status.rawValue)\t" + Self.escape(stationId)
        }
        try await run { db in try await Self.notify(db, Self.nodeChannel(nodeId), [line]) }
    }

    // MARK: Events

    public func events(
        nodeId: String, handlingAtOnce: @escaping @Sendable (ClusterEvent) -> Bool
    ) -> AsyncStream<ClusterEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ClusterEvent.self)
        let location = self.location
        let logger = self.logger
        let eventLoop = self.eventLoop
        let task = Task(executorPreference: executor) {
            while !Task.isCancelled {
                do {
                    try await Self.listen(location: location, nodeId: nodeId, eventLoop: eventLoop, logger: logger) {
                        event in
                        if !handlingAtOnce(event) { continuation.yield(event) }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("cluster events interrupted; listening again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// One listening connection: yields `.resynchronize` once both channels listen, then every event.
    private static func listen(
        location: PostgresLocation, nodeId: String, eventLoop: any EventLoop, logger: Logger,
        yield: @escaping @Sendable (ClusterEvent) -> Void
    ) async throws {
        let connection = try await PostgresConnection.connect(
            on: eventLoop, configuration: try location.connectionConfiguration(), id: 1, logger: logger)
        defer { Task { try? await connection.close() } }
        try await withTaskCancellationHandler {
            try await connection.listen(on: sharedChannel) { shared in
                try await connection.listen(on: nodeChannel(nodeId)) { mine in
                    yield(.resynchronize)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await notification in shared {
                                for event in parseShared(notification.payload) { yield(event) }
                            }
                        }
                        group.addTask {
                            for try await notification in mine {
                                for event in parseNode(notification.payload) { yield(event) }
                            }
                        }
                        // Either sequence ending means the connection is gone.
                        try await group.next()
                        group.cancelAll()
                    }
                }
            }
        } onCancel: {
            connection.close()
        }
    }

    static func parseShared(_ payload: String) -> [ClusterEvent] {
        payload.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch parts.first {
            case "up", "down":
                guard parts.count == 5, let ms = Int(parts[3]), let stationId = unescape(parts[4]) else { return nil }
                let presence = StationPresence(
                    stationId: stationId, nodeId: parts[1], ocppVersion: parts[2], connectedAt: Millis.date(ms))
                return .presence(parts[0] == "up" ? .up(presence) : .down(presence))
            case "left":
                return parts.count == 2 ? .nodeLeft(parts[1]) : nil
            default:
                return nil
            }
        }
    }

    static func parseNode(_ payload: String) -> [ClusterEvent] {
        payload.split(separator: "\n").compactMap { line in
            // Substrings: a call's payload, the longest field, is copied once, into its request.
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            switch parts.first {
            case "call":
                guard parts.count >= 2, let id = Int(parts[1]) else { return nil }
                if parts.count == 2 { return .callQueued(id, nil) }
                guard parts.count == 8, let timeoutMs = Int(parts[4]), let origin = unescape(String(parts[2])),
                    let target = unescape(String(parts[3])), let stationId = unescape(String(parts[5])),
                    let action = unescape(String(parts[6]))
                else { return nil }
                return .callQueued(
                    id,
                    ClusterCallRequest(
                        originNode: origin, targetNode: target, stationId: stationId, action: action,
                        payload: String(parts[7]), timeout: .milliseconds(timeoutMs)))
            case "reply":
                guard parts.count >= 2, let id = Int(parts[1]) else { return nil }
                switch parts.count {
                case 2:
                    return .callCompleted(id, nil)
                case 4 where parts[2] == "result":
                    return .callCompleted(id, .result(String(parts[3])))
                case 6 where parts[2] == "failure", 7 where parts[2] == "failure":
                    guard let status = Int(parts[3]), let code = unescape(String(parts[4])),
                        let message = unescape(String(parts[5]))
                    else { return nil }
                    let details = parts.count == 7 ? String(parts[6]) : nil
                    return .callCompleted(id, .failure(status: status, code: code, message: message, details: details))
                default:
                    return nil
                }
            case "disconnect":
                guard parts.count == 2, let stationId = unescape(String(parts[1])) else { return nil }
                return .command(.disconnect(stationId: stationId))
            case "registration":
                guard parts.count == 3, let status = RegistrationStatus(rawValue: String(parts[1])),
                    let stationId = unescape(String(parts[2]))
                else { return nil }
                return .command(.registration(stationId: stationId, status: status))
            default:
                return nil
            }
        }
    }

    // MARK: Helpers

    private static func fields(_ presence: StationPresence) -> String {
        [presence.nodeId, presence.ocppVersion, String(Millis.from(presence.connectedAt)), escape(presence.stationId)]
            .joined(separator: "\t")
    }

    /// Station ids may hold any character but the ones that separate fields and lines.
    static func escape(_ text: String) -> String {
        // Nearly every id, node and action is plain ASCII that needs no escape: Foundation's
        // escaping had been some 2 % of a routing node's CPU, for every field of every call.
        if text.utf8.allSatisfy(keptAsIs) { return text }
        return text.addingPercentEncoding(withAllowedCharacters: unescaped) ?? text
    }

    /// ASCII that `unescaped` holds too: letters, digits and `-._~:@`.
    private static func keptAsIs(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "@"):
            return true
        default:
            return false
        }
    }

    /// Built once: escaping runs for every station that connects or leaves.
    private static let unescaped = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "%"))

    static func unescape(_ text: String) -> String? {
        text.utf8.contains(UInt8(ascii: "%")) ? text.removingPercentEncoding : text
    }

    /// Sends `lines` on `channel`, several to a notification, within the caller's transaction.
    /// A line too long for any notification (a station id of thousands of combining marks is still
    /// "48 characters") is left out rather than failing the whole batch: the rows are written, and
    /// the other nodes see them at their next reload.
    private static func notify(_ db: any SQLDatabase, _ channel: String, _ lines: [String]) async throws {
        var payload = ""
        for line in lines where line.utf8.count <= maxPayload {
            if !payload.isEmpty, payload.utf8.count + line.utf8.count + 1 > maxPayload {
                try await db.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
                payload = ""
            }
            payload += payload.isEmpty ? line : "\n" + line
        }
        if !payload.isEmpty { try await db.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run() }
    }

    /// Prepared statements log nothing, as `PostgresClient.execute` does by default.
    private static let quiet = Logger(label: "ampere.cluster.statements", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs a prepared statement on `dedicated` and returns its rows; like every other statement
    /// here, it waits at most `PostgresPoolSource.leaseTimeout` for a connection.
    private static func execute<Statement: PostgresPreparedStatement>(
        _ statement: Statement, _ dedicated: DedicatedConnection
    ) async throws -> [Statement.Row] where Statement.Row: Sendable {
        do {
            return try await dedicated.withConnection { connection in
                var rows: [Statement.Row] = []
                for try await row in try await connection.execute(statement, logger: Self.quiet) { rows.append(row) }
                return rows
            }
        } catch {
            throw SQLDialectTraits.postgres.storageError(error)
        }
    }

    private func run<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await PostgresPoolSource(client: client).withDatabase(body)
        } catch {
            throw SQLDialectTraits.postgres.storageError(error)
        }
    }

    private func transaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await run { db in
            try await db.raw("BEGIN").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
