import AmpereDomain
import AmpereHandlers16
import AmpereStorage
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import OCPPCore
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The whole central system, composed in one place: storage, the OCPP
/// endpoint, the REST API and the services that run beside them.
public final class CentralSystem: Sendable {
    private let group: ServiceGroup
    private let listening: Listening

    /// The port the server listens on, once it does (useful with port 0).
    /// Throws when the server stopped without listening (its port taken, say), rather than
    /// waiting for ever.
    public func waitUntilListening() async throws -> Int { try await listening.port() }

    /// Runs until SIGTERM or SIGINT (or `shutdown()`), then shuts down gracefully.
    public func run() async throws {
        do {
            try await group.run()
        } catch {
            listening.fail(error)
            throw error
        }
        listening.fail(CancellationError())
    }

    /// Starts a graceful shutdown: stations get 1001, the server stops, storage closes.
    public func shutdown() async { await group.triggerGracefulShutdown() }

    private init(group: ServiceGroup, listening: Listening) {
        self.group = group
        self.listening = listening
    }

    /// Opens storage and builds every part of the server.
    public static func build(
        _ configuration: ServerConfiguration, logger: Logger,
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint]
    ) async throws -> CentralSystem {
        let now: @Sendable () -> Date = { Date() }
        // Before the storage opens: its writers' metrics are made as it opens.
        _ = MetricsBootstrap.registry()
        let database = try await StorageLocation.open(configuration.database, logger: logger)
        logger.info("database open", metadata: ["database": "\(StorageLocation.redacted(configuration.database))"])
        let storage = database.storage
        let passwords = PasswordHasher()
        try await AdminBootstrap.ensureAdmin(
            users: storage.users, email: configuration.adminEmail, password: configuration.adminPassword,
            passwords: passwords, now: now(), logger: logger)
        let tokens = await TokenService.make(
            secret: try await signingSecret(configuration, settings: storage.settings),
            lifetime: configuration.tokenLifetime)

        let authorizer = Authorizer(tags: storage.tags, transactions: storage.transactions)
        let services = CentralSystemServices(
            storage: storage, authorizer: authorizer, heartbeatInterval: configuration.heartbeatInterval, now: now)
        let registry = StationRegistry()
        let messageLog = MessageLogWriter(
            repository: storage.messages, retentionDays: configuration.messageLogRetentionDays, logger: logger,
            now: now)
        let lastSeen = LastSeenWriter(stations: storage.stations, logger: logger)
        let router16 = OCPP16Handlers.router()
        let ocppMetrics = OCPPMetrics(actions: router16.actions)
        let localStations = LiveStationDirectory(registry: registry, presence: lastSeen, metrics: ocppMetrics)
        let cluster = try await joinCluster(
            configuration, registry: registry, local: localStations, logger: logger, now: now)
        let connections = StationConnectionHandler(
            services: services, registry: registry, messageLog: messageLog, lastSeen: lastSeen, router16: router16,
            callTimeout: configuration.callTimeout, metrics: ocppMetrics,
            observer: cluster)
        let admission = configuration.maxConnectionRate > 0 ? ConnectionAdmission(rate: configuration.maxConnectionRate) : nil
        let capacity = configuration.openFileLimit.map { SocketCapacity(openFiles: $0) }
        let decider = UpgradeDecider(
            stations: storage.stations, registration: configuration.registration, passwords: passwords,
            versions: [.v16], admission: admission, capacity: capacity)

        let router = Router(context: AmpereRequestContext.self)
        router.get("/healthz") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: MetricsBootstrap.render())))
        }
        addOCPPEndpointRoute(to: router, logger: logger)
        addAPIRoutes(
            to: router,
            services: APIServices(
                storage: storage,
                stations: cluster.map { ClusterStationDirectory(local: localStations, node: $0) } ?? localStations,
                tokens: tokens,
                passwords: passwords, authorizer: authorizer, configuration: configuration, now: now, logger: logger))

        let listening = Listening()
        let webSocket = OCPPServerChannel.WebSocketSettings(
            maxFrameSize: configuration.maxFrameSize, pingInterval: configuration.pingInterval)
        let server = HTTPServerBuilder { responder in
            OCPPServerChannel(
                responder: responder, http1: .init(), webSocket: webSocket, decide: decider.decide,
                open: { connections.open($0, connection: $1, logger: $2) }, capacity: capacity)
        }
        if configuration.pinEventLoops {
            // Hummingbird serves on NIO's shared event loops.
            if let cpus = await EventLoopAffinity.pin(MultiThreadedEventLoopGroup.singleton) {
                logger.notice("event loops pinned", metadata: ["cpus": "\(cpus.map(String.init).joined(separator: ","))"])
            } else {
                logger.warning("could not pin the event loops (Linux only, two CPUs or more): the scheduler places them")
            }
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "Ampere",
                backlog: 4096),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.notice("Ampere listening on \(configuration.host):\(port)")
                listening.resolve(port)
            },
            logger: logger)
        // Shut down in reverse: stations are told first, then the server stops,
        // then the log is flushed and the database closed.
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: StorageService(database: database, logger: logger)),
            ] + (cluster.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? []) + [
                .init(service: messageLog),
                .init(
                    service: MeterValueRetention(
                        transactions: storage.transactions, retentionDays: configuration.meterValueRetentionDays,
                        logger: logger, now: now)),
                .init(service: lastSeen),
                .init(service: app),
                .init(service: StationShutdownService(registry: registry, admission: admission, logger: logger)),
            ],
            gracefulShutdownSignals: gracefulShutdownSignals,
            logger: logger)
        // A service stuck on an unreachable database must not keep the process from exiting:
        // past this, the services still running are cancelled.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(30)
        let group = ServiceGroup(configuration: groupConfiguration)
        return CentralSystem(group: group, listening: listening)
    }

    /// Joins the cluster of nodes sharing the database, when it is PostgreSQL.
    static func joinCluster(
        _ configuration: ServerConfiguration, registry: StationRegistry, local: LiveStationDirectory, logger: Logger,
        now: @escaping @Sendable () -> Date
    ) async throws -> ClusterNode? {
        guard let bus = try await StorageLocation.clusterBus(configuration.database, logger: logger) else { return nil }
        let nodeId = configuration.nodeId ?? defaultNodeId(configuration)
        let node = ClusterNode(
            nodeId: nodeId, bus: bus, registry: registry, local: local, logger: logger, now: now,
            defaultCallTimeout: configuration.callTimeout, close: { await bus.close() })
        do {
            try await node.join()
        } catch {
            await bus.close()
            throw error
        }
        return node
    }

    /// A name that stays the same across restarts of the node on this host and
    /// port, so that a restart clears what a killed process left; random with port 0.
    static func defaultNodeId(_ configuration: ServerConfiguration) -> String {
        guard configuration.port != 0 else { return "node_" + String(UInt32.random(in: .min ... .max), radix: 16) }
        // FNV-1a: stable across runs, unlike Hasher.
        var hash: UInt32 = 2_166_136_261
        for byte in "\(ProcessInfo.processInfo.hostName):\(configuration.port)".utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return "node_" + String(hash, radix: 16)
    }

    /// The token signing key: from the configuration, or made once and kept in the database.
    static func signingSecret(_ configuration: ServerConfiguration, settings: any SettingRepository) async throws
        -> String
    {
        if let secret = configuration.jwtSecret, !secret.isEmpty { return secret.padding(toMinimumLength: 32) }
        var generator = SystemRandomNumberGenerator()
        let fresh = (0..<32).map { _ in String(format: "%02x", generator.next() as UInt8) }.joined()
        return try await settings.settingIfAbsent("auth.jwtSecret", fresh)
    }
}

extension String {
    /// jwt-kit refuses HMAC keys under 32 bytes; short secrets are stretched by repetition.
    fileprivate func padding(toMinimumLength length: Int) -> String {
        var result = self
        while result.utf8.count < length { result += self }
        return result
    }
}

/// The port the server bound, announced once.
final class Listening: Sendable {
    private let state = Mutex<(outcome: Result<Int, any Error>?, waiters: [CheckedContinuation<Int, any Error>])>(
        (nil, []))

    func resolve(_ port: Int) { finish(.success(port)) }

    /// The server stopped, or never started (its port taken), without listening: waiters get `error`.
    func fail(_ error: any Error) { finish(.failure(error)) }

    private func finish(_ outcome: Result<Int, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard state.outcome == nil else { return [] }
            state.outcome = outcome
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: outcome) }
    }

    func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Int, any Error>? in
                if let outcome = state.outcome { return outcome }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
