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
