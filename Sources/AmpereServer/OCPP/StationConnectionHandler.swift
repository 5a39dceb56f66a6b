import AmpereDomain
import AmpereHandlers16
import Foundation
import Logging
import NIOCore
import NIOWebSocket
import OCPPCore
import WSCore

/// Runs one accepted OCPP connection: registers the station, feeds every
/// frame to its session in order, and cleans up when the socket closes.
struct StationConnectionHandler: Sendable {
    let services: CentralSystemServices
    let registry: StationRegistry
    let messageLog: MessageLogWriter
    let lastSeen: LastSeenWriter
    let router16: OCPPRouter<ChargePointContext>
    let callTimeout: Duration
    let maxMessageSize: Int
    let metrics: OCPPMetrics
    /// Told of each connection's start and end (the cluster's presence), when there is one.
    var observer: (any ConnectionObserver)? = nil

    func run(
        _ accepted: AcceptedStation, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
        logger baseLogger: Logger
    ) async throws {
        let id = accepted.stationId
        var logger = baseLogger
        logger[metadataKey: "station"] = "\(id)"
        let storage = services.storage
        // Open registration: an unknown station is registered on first connect.
        let station = try await storage.stations.ensure(id, ocppVersion: accepted.version.name, at: services.now())
        // A reconnect of a known station costs no write: its version is stored, and the time goes in the next batch.
        if station.ocppVersion == accepted.version.name {
            lastSeen.seen(id, at: services.now())
        } else {
            try await storage.stations.recordSeen(id, ocppVersion: accepted.version.name, at: services.now())
        }

        let registration = RegistrationState(station.registrationStatus)
        let context = ChargePointContext(
            stationId: id, services: services, registration: registration, logger: logger)
        let recorder = MessageLogRecorder(stationId: id, writer: messageLog, now: services.now)
        let metrics = self.metrics
        let session = OCPPSession(
            router: router16, context: context, configuration: .init(defaultTimeout: callTimeout), logger: logger
        ) { frame in
            recorder.record(frame, direction: .sent)
            metrics.framesSent.increment()
            try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: frame))))
        }
        let live = LiveStation(
            stationId: id, version: accepted.version, session: session, registration: registration,
            connectedAt: services.now(), outbound: outbound)
        if let previous = registry.register(live) {
            logger.info("a new connection replaces the previous one")
            await previous.close(.normalClosure, reason: "replaced by a new connection")
        }
        observer?.connected(live)
        metrics.connections.increment()
        logger.info("charge point connected", metadata: ["ocppVersion": "\(accepted.version)"])
        defer {
            registry.unregister(live)
            observer?.disconnected(live)
            session.close()
            metrics.connections.decrement()
        }

        do {
            for try await message in inbound.messages(maxSize: maxMessageSize) {
                let frame: [UInt8]
                switch message {
                case .text(let text): frame = Array(text.utf8)
                // OCPP-J uses text frames; a binary one is read as the same bytes.
                case .binary(var buffer): frame = buffer.readBytes(length: buffer.readableBytes) ?? []
                }
                metrics.framesReceived.increment()
                recorder.record(frame, direction: .received)
                lastSeen.seen(id, at: services.now())
                await session.receive(frame)
            }
        } catch {
            logger.info("connection ended", metadata: ["reason": "\(error)"])
            lastSeen.seen(id, at: services.now())
            throw error
        }
        lastSeen.seen(id, at: services.now())
        logger.info("charge point disconnected")
    }
}
