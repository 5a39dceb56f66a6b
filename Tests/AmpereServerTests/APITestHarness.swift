import AmpereDomain
import AmpereStorage
import AmpereTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import OCPPCore

@testable import AmpereServer

/// The REST API alone on a router, over a temporary SQLite database and a
/// fake station directory, called without a network (HummingbirdTesting's
/// router client).
struct APITestHarness: Sendable {
    let storage: Storage
    let directory: APIFakeDirectory
    let tokens: TokenService
    let client: any TestClientProtocol
    let now: Date

    static let email = "operator@example.com"
    static let password = "correct horse battery"
    static let secret = "test-secret-test-secret-test-secret!"

    /// Runs `body` against a fresh API, then closes and removes its database.
    static func run(_ body: @Sendable (APITestHarness) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ampere-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "ampere-api-test")
        logger.logLevel = .critical
        let database = try await StorageLocation.open(
            try await TestDatabases.location(in: directory, logger: logger), logger: logger)
        do {
            // Whole seconds, so that dates survive storage exactly; the real
            // time, because token expiry is checked against the real clock.
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let passwords = PasswordHasher(cost: 4)
            let user = User(
                id: "u1", email: email, passwordHash: try await passwords.hash(password), role: .admin, createdAt: now)
            _ = try await database.storage.users.create(user)
            let tokens = await TokenService.make(secret: secret, lifetime: .seconds(3600))
            let stations = APIFakeDirectory()
            var configuration = ServerConfiguration()
            configuration.callTimeout = .seconds(7)
            let services = APIServices(
                storage: database.storage, stations: stations, tokens: tokens, passwords: passwords,
                authorizer: Authorizer(tags: database.storage.tags, transactions: database.storage.transactions),
                configuration: configuration, now: { now }, logger: logger)
            let router = Router(context: AmpereRequestContext.self)
            addAPIRoutes(to: router, services: services)
            let app = Application(router: router, logger: logger)
            try await app.test(.router) { client in
                try await body(
                    APITestHarness(
                        storage: database.storage, directory: stations, tokens: tokens, client: client, now: now))
            }
        } catch {
            try? await database.close()
            await TestDatabases.remove(in: directory, logger: logger)
            throw error
        }
        try await database.close()
        await TestDatabases.remove(in: directory, logger: logger)
    }

    /// A valid token of the test user.
    func token() async throws -> String {
        try await tokens.sign(userId: "u1", email: Self.email, role: "admin", now: Date())
    }

    /// Sends a request, signed in unless `token` says otherwise, with `body` as it is.
    func send(
        _ method: HTTPRequest.Method, _ path: String, body: String? = nil, token: String?? = nil,
        headers: HTTPFields = [:]
    ) async throws -> APITestReply {
        var fields = headers
        let bearer: String? =
            switch token {
            case nil: try await self.token()
            case .some(let explicit): explicit
            }
        if let bearer { fields[.authorization] = "Bearer \(bearer)" }
        if body != nil { fields[.contentType] = "application/json" }
        let response = try await client.execute(
            uri: path, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
        return APITestReply(status: response.status, headers: response.headers, body: String(buffer: response.body))
    }

    /// Sends `json` as the body.
    func send(_ method: HTTPRequest.Method, _ path: String, json: JSONValue, token: String?? = nil) async throws
        -> APITestReply
    {
        try await send(method, path, body: json.jsonString(), token: token)
    }
}

/// An answer of the API under test.
struct APITestReply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: String

    /// The body as JSON; `.null` when it is empty or not JSON.
    var json: JSONValue { (try? JSONValue.decode(json: body)) ?? .null }

    /// The `error.code` of an error body.
    var errorCode: String? { json["error"]?["code"]?.stringValue }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    var stringValue: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    var arrayValue: [JSONValue] {
        guard case .array(let items) = self else { return [] }
        return items
    }

    var objectKeys: Set<String> {
        guard case .object(let members) = self else { return [] }
        return Set(members.keys)
    }
}
