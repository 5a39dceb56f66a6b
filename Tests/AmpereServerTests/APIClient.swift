import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small REST client of the server under test.
struct APIClient: Sendable {
    let baseURL: String
    var token: String?

    struct Reply: Sendable {
        var status: Int
        var body: Data
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { (json as? [String: Any]) ?? [:] }
    }

    static func signedIn(_ server: ServerHarness) async throws -> APIClient {
        var client = APIClient(baseURL: server.baseURL, token: nil)
        let reply = try await client.send(
            "POST", "/api/v1/auth/signin",
            json: ["email": ServerHarness.adminEmail, "password": ServerHarness.adminPassword])
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
}
