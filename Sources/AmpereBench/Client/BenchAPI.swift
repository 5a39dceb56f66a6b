import Foundation
import NIOCore
import NIOHTTP1

/// Where the REST API is and who signs in: the scenarios that check what
/// the server stored, or drive it through REST, need them.
public struct APICredentials: Sendable {
    /// `http://host:port`, without `/api/v1`.
    public var url: String
    public var email: String
    public var password: String

    public init(url: String, email: String, password: String) {
        self.url = url
        self.email = email
        self.password = password
    }
}

/// The REST API of the central system under load, signed in (CONTRACT.md).
struct BenchAPI: Sendable {
    let http: BenchHTTPClient
    let token: String

    /// An answer that is not what the contract promises.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Signs in with `POST /api/v1/auth/signin`.
    static func signIn(_ credentials: APICredentials) async throws -> BenchAPI {
        let http = try BenchHTTPClient(baseURL: credentials.url)
        let body = try String(
            decoding: JSONSerialization.data(withJSONObject: [
                "email": credentials.email, "password": credentials.password,
            ]), as: UTF8.self)
        let reply = try await http.request(.POST, "/api/v1/auth/signin", body: body)
        struct SignedIn: Decodable { var token: String }
        guard reply.status == 200, let signedIn = try? Self.decode(SignedIn.self, reply.body) else {
            http.shutdown()
            throw Failure(description: "signing in as \(credentials.email) answered HTTP \(reply.status)")
        }
        return BenchAPI(http: http, token: signedIn.token)
    }

    func post(_ path: String, json: String) async throws -> HTTPReply {
        try await http.request(.POST, path, body: json, token: token)
    }

    /// GETs `path` and decodes a 200 answer.
    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let reply = try await http.request(.GET, path, token: token)
        guard reply.status == 200 else { throw Failure(description: "GET \(path) answered HTTP \(reply.status)") }
        return try Self.decode(type, reply.body)
    }

    /// Every item of a list, page by page (at most 1,000 per page).
    func all<T: Decodable>(_ path: String, as type: T.Type) async throws -> [T] {
        var items: [T] = []
        let separator = path.contains("?") ? "&" : "?"
        while true {
            let page = try await get("\(path)\(separator)limit=1000&offset=\(items.count)", as: Page<T>.self)
            items += page.items
            if page.items.isEmpty || items.count >= page.total { return items }
        }
    }

    func shutdown() { http.shutdown() }

    static func decode<T: Decodable>(_ type: T.Type, _ body: ByteBuffer) throws -> T {
        try JSONDecoder().decode(type, from: Data(body.readableBytesView))
    }

    /// A percent-encoded path segment.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? text
    }

    /// A percent-encoded query value.
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    private struct Page<T: Decodable>: Decodable {
        var items: [T]
        var total: Int
    }
}
