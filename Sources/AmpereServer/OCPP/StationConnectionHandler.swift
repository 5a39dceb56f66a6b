import AmpereDomain
import AmpereHandlers16
import Foundation
import Logging
import OCPPCore

/// Opens accepted OCPP connections: registers the station, builds its
/// session, and cleans up when the socket closes. Each connection's frames
/// run in order through its `StationConnection`.
struct StationConnectionHandler: Sendable {
    let services: CentralSystemServices
    let registry: StationRegistry
    let messageLog: MessageLogWriter
    let lastSeen: LastSeenWriter
    let router16: OCPPRouter<ChargePointContext>
    let callTimeout: Duration
    let metrics: OCPPMetrics
    /// Told of each connection's start and end (the cluster's presence), when there is one.
    var observer: (any ConnectionObserver)? = nil

    /// Starts serving a connection whose upgrade was accepted; returns where its messages go.
    func open(_ accepted: AcceptedStation, connection: WebSocketConnection, logger: Logger) -> StationConnection {
        var logger = logger
        logger[metadataKey: "station"] = "\(accepted.stationId)"
        let opened = StationConnection(handler: self, accepted: accepted, connection: connection, logger: logger)
        opened.start()
        return opened
    }

    /// Registers the station and its live connection; throws when storage fails.
    func setUp(
        _ accepted: AcceptedStation, connection: WebSocketConnection, logger: Logger
    ) async throws -> StationConnection.Live {
        let id = accepted.stationId
        let storage = services.storage
        // The upgrade read the station already; an unknown one is registered now (open registration).
        let station: ChargingStation
        if let known = accepted.station {
            station = known
        } else {
            station = try await storage.stations.ensure(id, ocppVersion: accepted.version.name, at: services.now())
        }
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
        let transmit: @Sendable ([UInt8]) -> Void = { frame in
            metrics.framesSent.increment()
            connection.sendText(frame)
        }
        let send: @Sendable ([UInt8]) -> Void = { frame in
            recorder.record(frame, direction: .sent)
            transmit(frame)
        }
        let sendAnswer: @Sendable ([UInt8], OCPPCall) -> Void = { frame, call in
            recorder.recordAnswer(frame, to: call)
            transmit(frame)
        }
        let configuration = OCPPSession<ChargePointContext>.Configuration(
            defaultTimeout: callTimeout, scheduleTimeout: OCPPScheduledTimeout.onEventLoops)
        let session = OCPPSession(router: router16, context: context, configuration: configuration, logger: logger) {
            frame in send(frame)
        }
        let live = LiveStation(
            stationId: id, version: accepted.version, session: session, registration: registration,
            connectedAt: services.now(), connection: connection)
        switch registry.register(live) {
        case .registered(let previous?):
            logger.info("a new connection replaces the previous one")
            previous.close(.normalClosure, reason: "replaced by a new connection")
        case .registered(replacing: nil):
            break
        case .shuttingDown:
            // The charge point reconnects to another node, or to this one once it is back.
            live.close(.goingAway, reason: "the central system is shutting down")
        }
        observer?.connected(live)
        metrics.connections.increment()
        logger.info("charge point connected", metadata: ["ocppVersion": "\(accepted.version)"])
        return StationConnection.Live(station: live, recorder: recorder, send: send, sendAnswer: sendAnswer)
    }

    /// Handles one received message of a set-up connection at once, on the
    /// caller's thread, when it needs no waiting (an answer to our call, a
    /// Heartbeat); returns it parsed, logged and counted when its handler
    /// must be awaited through `receive(_:on:)`.
    func receiveImmediately(_ frame: [UInt8], on live: StationConnection.Live) -> OCPPMessage? {
        let parsed = OCPPMessage.parsedDeferringPayload(frame)
        metrics.framesReceived.increment()
        if case .success(.call(let call)) = parsed { metrics.callReceived(call.action) }
        live.recorder.record(frame, parsed: try? parsed.get(), direction: .received)
        lastSeen.seen(live.station.stationId, at: services.now())
        switch live.station.session.receiveImmediately(parsed) {
        case .handled(let answer?):
            if case .success(.call(let call)) = parsed {
                live.sendAnswer(answer, call)
            } else {
                live.send(answer)
            }
            return nil
        case .handled(answer: nil):
            return nil
        case .waits(let message):
            return message
        }
    }

    /// Handles one received message of a set-up connection.
    func receive(_ inbound: StationConnection.Inbound, on live: StationConnection.Live) async {
        switch inbound {
        case .frame(let frame):
            if let waiting = receiveImmediately(frame, on: live) { await live.station.session.receive(waiting) }
        case .noted(let message):
            await live.station.session.receive(message)
        }
    }

    /// Cleans up after the socket of a set-up connection closed.
    func tearDown(_ live: StationConnection.Live, logger: Logger) {
        registry.unregister(live.station)
        observer?.disconnected(live.station)
        live.station.session.close()
        metrics.connections.decrement()
        lastSeen.seen(live.station.stationId, at: services.now())
        logger.info("charge point disconnected")
    }
}
