import AmpereDomain
import PostgresNIO

// The two statements every routed command runs when it is alone: its call and its outcome.
// Prepared once per connection, so PostgreSQL neither parses nor plans them again: on the
// routed path that was most of the database's CPU, far more than executing them.

/// Queues one routed call and notifies its target node in the same statement; answers the call's id.
struct SubmitClusterCall: PostgresPreparedStatement {
    static let name = "ampere_cluster_submit_call"
    static let sql = """
        WITH queued AS (
            INSERT INTO cluster_calls (origin_node, target_node, station_id, action, payload, timeout_ms, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            RETURNING id)
        SELECT id, pg_notify($8, 'call' || chr(9) || id || $9) FROM queued
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text, .text, .int8, .int8, .text, .text]
    typealias Row = Int

    var call: ClusterCallRequest
    /// When the call was queued, in milliseconds since 1970.
    var createdAt: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 9)
        bindings.append(call.originNode)
        bindings.append(call.targetNode)
        bindings.append(call.stationId)
        bindings.append(call.action)
        bindings.append(call.payload)
        bindings.append(PostgresClusterBus.milliseconds(call.timeout))
        bindings.append(createdAt)
        bindings.append(PostgresClusterBus.nodeChannel(call.targetNode))
        bindings.append(PostgresClusterBus.inline(call))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int { try row.makeRandomAccess()[0].decode(Int.self) }
}

/// Stores one routed call's outcome and notifies the node that waits for it; a call whose
/// row is gone (swept) answers no row and notifies nobody.
struct CompleteClusterCall: PostgresPreparedStatement {
    static let name = "ampere_cluster_complete_call"
    static let sql = """
        WITH done AS (
            UPDATE cluster_calls SET outcome_kind = $1, outcome = $2, status = $3, code = $4, message = $5
            WHERE id = $6
            RETURNING id)
        SELECT id, pg_notify($7, 'reply' || chr(9) || id || $8) FROM done
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .int8, .text, .text, .int8, .text, .text]
    typealias Row = Int

    var id: Int
    var origin: String
    var outcome: ClusterCallOutcome

    func makeBindings() throws -> PostgresBindings {
        let columns = ClusterOutcomeColumns(outcome)
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(columns.kind)
        bindings.append(columns.outcome)
        bindings.append(columns.status)
        bindings.append(columns.code)
        bindings.append(columns.message)
        bindings.append(id)
        bindings.append(PostgresClusterBus.nodeChannel(origin))
        bindings.append(PostgresClusterBus.inline(outcome))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int { try row.makeRandomAccess()[0].decode(Int.self) }
}

/// An outcome as its row holds it: a result's payload, or a failure's details and REST answer.
struct ClusterOutcomeColumns {
    var kind: String
    var outcome: String?
    var status: Int?
    var code: String?
    var message: String?

    init(_ outcome: ClusterCallOutcome) {
        switch outcome {
        case .result(let payload):
            kind = "result"
            self.outcome = payload
        case .failure(let status, let code, let message, let details):
            kind = "failure"
            self.outcome = details
            (self.status, self.code, self.message) = (status, code, message)
        }
    }
}

// The same two for a batch: every column one array, so that the statement's text is the same
// whatever the batch's length and it too is prepared once per connection. As `VALUES` lists, a
// new text for every length, planning them had cost PostgreSQL more than running them.

/// Queues several routed calls and notifies each one's target node in one statement; answers
/// each call's place in the batch (from 1) with its id.
struct SubmitClusterCalls: PostgresPreparedStatement {
    static let name = "ampere_cluster_submit_calls"
    // MATERIALIZED: each row draws its id once, and its notification carries that id.
    static let sql = """
        WITH input AS MATERIALIZED (
            SELECT nextval('cluster_calls_id_seq') AS id, v.*
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])
                WITH ORDINALITY AS v (origin_node, target_node, station_id, action, payload, timeout_ms, inline, ord)),
        queued AS (
            INSERT INTO cluster_calls (id, origin_node, target_node, station_id, action, payload, timeout_ms, created_at)
            SELECT id, origin_node, target_node, station_id, action, payload, timeout_ms, $8 FROM input)
        SELECT ord, id, pg_notify($9 || target_node, 'call' || chr(9) || id || inline) FROM input
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .textArray, .textArray, .textArray, .textArray, .textArray, .int8Array, .textArray, .int8, .text,
    ]
    typealias Row = (ord: Int, id: Int)

    var calls: [ClusterCallRequest]
    /// When the calls were queued, in milliseconds since 1970.
    var createdAt: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 9)
        bindings.append(calls.map(\.originNode))
        bindings.append(calls.map(\.targetNode))
        bindings.append(calls.map(\.stationId))
        bindings.append(calls.map(\.action))
        bindings.append(calls.map(\.payload))
        bindings.append(calls.map { PostgresClusterBus.milliseconds($0.timeout) })
        bindings.append(calls.map { PostgresClusterBus.inline($0) })
        bindings.append(createdAt)
        bindings.append(PostgresClusterBus.nodeChannelPrefix)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> (ord: Int, id: Int) {
        let columns = row.makeRandomAccess()
        return (try columns[0].decode(Int.self), try columns[1].decode(Int.self))
    }
}

/// Stores several routed calls' outcomes and notifies each one's origin in one statement; a
/// call whose row is gone (swept) notifies nobody.
struct CompleteClusterCalls: PostgresPreparedStatement {
    static let name = "ampere_cluster_complete_calls"
    // PostgresNIO binds no array with NULLs in it: which outcomes are NULL goes beside, as a mask;
    // a result has no status, code or message. `c.id = ANY($1)` gives the plan the rows' keys to
    // find them by; the cluster's sessions run without sequential scans (`PostgresClusterBus`),
    // since a generic plan made while the table was small had scanned it as it grew.
    static let sql = """
        WITH input AS (
            SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::bigint[],
                $7::text[], $8::text[], $9::text[])
                AS i (id, origin, kind, outcome, outcome_null, status, code, message, inline)),
        done AS (
            UPDATE cluster_calls c SET outcome_kind = i.kind,
                outcome = CASE WHEN i.outcome_null THEN NULL ELSE i.outcome END,
                status = CASE WHEN i.kind = 'failure' THEN i.status END,
                code = CASE WHEN i.kind = 'failure' THEN i.code END,
                message = CASE WHEN i.kind = 'failure' THEN i.message END
            FROM input i WHERE c.id = i.id AND c.id = ANY($1)
            RETURNING c.id)
        SELECT i.id, pg_notify($10 || i.origin, 'reply' || chr(9) || i.id || i.inline)
        FROM input i JOIN done ON done.id = i.id
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .int8Array, .textArray, .textArray, .textArray, .boolArray, .int8Array, .textArray, .textArray, .textArray,
        .text,
    ]
    typealias Row = Int

    var completions: [PostgresClusterBus.Completion]

    func makeBindings() throws -> PostgresBindings {
        let columns = completions.map { ClusterOutcomeColumns($0.outcome) }
        var bindings = PostgresBindings(capacity: 10)
        bindings.append(completions.map(\.id))
        bindings.append(completions.map(\.origin))
        bindings.append(columns.map(\.kind))
        bindings.append(columns.map { $0.outcome ?? "" })
        bindings.append(columns.map { $0.outcome == nil })
        bindings.append(columns.map { $0.status ?? 0 })
        bindings.append(columns.map { $0.code ?? "" })
        bindings.append(columns.map { $0.message ?? "" })
        bindings.append(completions.map { PostgresClusterBus.inline($0.outcome) })
        bindings.append(PostgresClusterBus.nodeChannelPrefix)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int { try row.makeRandomAccess()[0].decode(Int.self) }
}
