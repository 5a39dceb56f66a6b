import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small REST client of the server under test, signed in as its admin.
struct SimAPIClient: Sendable {
    let baseURL: String
    var token: String?

    struct Reply: Sendable {
        var status: Int
        var body: Data
        var object: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
        /// The `items` of a list answer.
        var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
    }

    static func signedIn(_ server: SimTestServer) async throws -> SimAPIClient {
        var client = SimAPIClient(baseURL: server.baseURL, token: nil)
        let reply = try await client.send(
            "POST", "/api/v1/auth/signin",
            json: ["email": SimTestServer.adminEmail, "password": SimTestServer.adminPassword])
        client.token = reply.object["token"] as? String
        guard client.token != nil else { throw URLError(.userAuthenticationRequired) }
        return client
    }

    func send(_ method: String, _ path: String, json: Any? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? -1, body: data)
    }

    /// Creates an accepted id tag.
    func createTag(_ idTag: String) async throws {
        let reply = try await send("POST", "/api/v1/tags", json: ["idTag": idTag])
        guard reply.status == 201 else { throw URLError(.badServerResponse) }
    }

    /// The station's transactions, newest first as the API lists them.
    func transactions(of stationId: String) async throws -> [[String: Any]] {
        try await send("GET", "/api/v1/transactions?chargingStationId=\(stationId)&limit=1000").items
    }

    /// The transactions of several stations, one station after the other.
    func transactions(of stationIds: [String]) async throws -> [[String: Any]] {
        var transactions: [[String: Any]] = []
        for id in stationIds { transactions += try await self.transactions(of: id) }
        return transactions
    }

    /// Every sampled value of a transaction, oldest first.
    func meterValues(of transactionId: Int) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        while true {
            let page = try await send(
                "GET", "/api/v1/transactions/\(transactionId)/meter-values?limit=1000&offset=\(all.count)"
            ).items
            all += page
            if page.count < 1000 { return all }
        }
    }

    /// Actions of the station's logged OCPP frames that it sent, oldest first.
    func receivedActions(of stationId: String) async throws -> [String] {
        let frames = try await send("GET", "/api/v1/charging-stations/\(stationId)/messages?limit=1000").items
        return frames.reversed().filter { $0["direction"] as? String == "received" && $0["messageType"] as? Int == 2 }
            .compactMap { $0["action"] as? String }
    }
}
