import AmpereDomain
import Hummingbird

/// Charging sessions and their meter values.
struct TransactionRoutes {
    let services: APIServices

    var routes: [APIRoute] {
        [
            APIRoute(
                method: .get, path: "/transactions", operationId: "listTransactions", summary: "List transactions",
                query: APIQueryParameter.paging + [
                    APIQueryParameter(name: "chargingStationId", schema: .string(), description: "Only this station's"),
                    APIQueryParameter(
                        name: "active", schema: .boolean,
                        description: "true: only running ones; false: only stopped ones"),
                    APIQueryParameter(
                        name: "stationTransactionId", schema: .string(),
                        description: "Only the one a (2.0.1) station names so"),
                ],
                success: APISuccess(.ok, "A page of transactions", .list(of: .ref("Transaction"))),
                errors: [.badRequest],
                handler: list),
            APIRoute(
                method: .get, path: "/transactions/{id}", operationId: "getTransaction", summary: "One transaction",
                success: APISuccess(.ok, "The transaction", .ref("Transaction")), errors: [.badRequest, .notFound],
                handler: get),
            APIRoute(
                method: .get, path: "/transactions/{id}/meter-values", operationId: "listMeterValues",
                summary: "A transaction's sampled values, oldest first", query: APIQueryParameter.paging,
                success: APISuccess(.ok, "A page of sampled values", .list(of: .ref("MeterValue"))),
                errors: [.badRequest, .notFound], handler: meterValues),
        ]
    }

    @Sendable func list(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let page = try request.pageRequest()
        var filter = TransactionFilter()
        filter.stationId = try request.query("chargingStationId")
        filter.stationTransactionId = try request.query("stationTransactionId")
        switch try request.query("active") {
        case nil: break
        case "true": filter.active = true
        case "false": filter.active = false
        default: throw APIError.badRequest("'active' must be true or false")
        }
        return APIResponse.list(try await services.storage.transactions.transactions(filter, page), \.apiView)
    }

    @Sendable func get(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        APIResponse.json(try await existingTransaction(context).apiView)
    }

    @Sendable func meterValues(_ request: Request, _ context: AmpereRequestContext) async throws -> Response {
        let page = try request.pageRequest()
        let transaction = try await existingTransaction(context)
        return APIResponse.list(
            try await services.storage.transactions.meterSamples(transactionId: transaction.id, page), \.apiView)
    }

    private func existingTransaction(_ context: AmpereRequestContext) async throws -> Transaction {
        let text = try context.pathParameter("id")
        guard let id = Int(text) else { throw APIError.badRequest("a transaction id is an integer, not '\(text)'") }
        guard let transaction = try await services.storage.transactions.transaction(id) else {
            throw APIError.notFound("no transaction \(id)")
        }
        return transaction
    }
}
