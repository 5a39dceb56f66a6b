import Foundation
import HTTPTypes
import OCPP16
import OCPPCore
import WSClient

extension SimulatedChargePoint {
    /// Connects, and reconnects after every loss, until the task is cancelled:
    /// at once after a reboot, otherwise after a backoff that grows with each
    /// failure in a row, moving to the next URL every `failoverAfter` failures.
    func runConnections() async {
        var failures = 0
        var urlIndex = 0
        while !Task.isCancelled {
            let url = Self.endpoint(configuration.urls[urlIndex], id: configuration.id)
            let bootsBefore = bootsAccepted
            let connectionsBefore = connectionsOpened
            var failure: (any Error)?
            do {
                try await connect(to: url)
            } catch {
                failure = error
                logger.debug("connection ended", metadata: ["url": "\(url)", "error": "\(error)"])
            }
            if Task.isCancelled { return }
            if connectionsOpened == connectionsBefore {
                let reason = failure.map(Self.connectFailure) ?? "the connection closed during the handshake"
                if stats.noteConnectFailure(reason) {
                    // Once for the fleet: thousands of charge points failing alike would flood the output.
                    logger.warning(
                        "could not connect; later failures are counted, and the last one named in the summary",
                        metadata: ["url": "\(url)", "reason": "\(reason)"])
                }
            }
            if link.takeRebootRequest() {
                failures = 0
                try? await Task.sleep(for: configuration.rebootDelay)
                continue
            }
            // A connection that got as far as an accepted boot was a success.
            failures = bootsAccepted > bootsBefore ? 1 : failures + 1
            if configuration.urls.count > 1, failures % max(configuration.failoverAfter, 1) == 0 {
                urlIndex = (urlIndex + 1) % configuration.urls.count
            }
            try? await Task.sleep(for: configuration.backoff.delay(attempt: failures))
        }
    }

    /// Why a connection attempt failed, in words for the operator.
    static func connectFailure(_ error: any Error) -> String {
        if let error = error as? WebSocketClientError, error == .webSocketUpgradeFailed {
            // WSClient keeps the HTTP status to itself.
            return "the central system refused the WebSocket upgrade (a charge point it does not know, "
                + "a wrong or missing --password, or no OCPP endpoint at this URL)"
        }
        return "\(error)"
    }

    /// The charge point's URL: the central system's base with the id as the last segment.
    static func endpoint(_ base: String, id: String) -> String {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        let segment = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? id
        return "\(trimmed)/\(segment)"
    }

    /// One WebSocket connection, from the handshake to its close.
    private func connect(to url: String) async throws {
        var headers = HTTPFields()
        headers[HTTPField.Name("Sec-WebSocket-Protocol")!] = "ocpp1.6"
        if let password = configuration.password {
            // OCPP 1.6 security profile 1: Basic with the charge point id as the user.
            let credentials = Data("\(configuration.id):\(password)".utf8).base64EncodedString()
            headers[.authorization] = "Basic \(credentials)"
        }
        let pingSeconds = state.withLock { $0.settings.int("WebSocketPingInterval", or: 0) }
        let webSocket = WebSocketClientConfiguration(
            maxFrameSize: 1 << 20, additionalHeaders: headers, closeTimeout: .seconds(5),
            autoPing: pingSeconds > 0 ? .enabled(timePeriod: .seconds(pingSeconds)) : .disabled)
        try await ConnectionAttempt.run(handshakeTimeout: configuration.handshakeTimeout) { attempt in
            try await self.open(url, webSocket, attempt)
        }
    }

    /// The WebSocket connection itself, served from the handshake to its close.
    private func open(
        _ url: String, _ webSocket: WebSocketClientConfiguration, _ attempt: ConnectionAttempt
    ) async throws {
        try await WebSocketClient.connect(
            url: url, configuration: webSocket, tlsConfiguration: configuration.tls, logger: logger
        ) {
            inbound, outbound, _ in
            // Too late: the charge point gave up on this handshake and has moved on.
            guard attempt.opened() else { return }
            let session = OCPPSession(
                router: ChargePointRouter.shared, context: self,
                configuration: .init(defaultTimeout: self.configuration.callTimeout), logger: self.logger
            ) { frame in
                try await outbound.write(.text(String(decoding: frame, as: UTF8.self)))
            }
            await self.serve(session, inbound: inbound) {
                try? await outbound.close(.normalClosure, reason: "rebooting")
            }
        }
    }

    /// Reads frames into the session while the charge point boots and works
    /// online; returns when the connection is gone.
    private func serve(
        _ session: ConnectionLink.Session, inbound: WebSocketInboundStream,
        close: @escaping @Sendable () async -> Void
    ) async {
        link.attach(session, close: close)
        noteConnectionOpened()
        stats.connected.add(1, ordering: .relaxed)
        defer {
            link.detach()
            outbox.setOnline(false)
            session.close()
            stats.connected.subtract(1, ordering: .relaxed)
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message else { continue }
                        await session.receive(Array(text.utf8))
                    }
                } catch {}
                // Calls still waiting fail at once rather than at their timeout.
                session.close()
            }
            group.addTask { await self.online(session) }
            // The reader ends with the connection; the online work then stops too.
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// Boots, reports every connector, then sends heartbeats and the outbox
    /// until cancelled.
    private func online(_ session: ConnectionLink.Session) async {
        guard await boot(session) else { return }
        link.markBooted()
        stats.booted.add(1, ordering: .relaxed)
        defer { stats.booted.subtract(1, ordering: .relaxed) }
        outbox.setOnline(true)
        await reportStatuses(session)
        finishFirmwareInstallation()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.sendHeartbeats(session) }
            group.addTask { await self.drainOutbox(session) }
        }
    }

    /// BootNotification until Accepted, waiting the interval the central
    /// system names after Pending or Rejected (OCPP 1.6 §4.2).
    private func boot(_ session: ConnectionLink.Session) async -> Bool {
        while !Task.isCancelled, !session.isClosed {
            let retry: Double
            do {
                let response = try await call(session, BootNotification.self, bootRequest())
                if response.status == .accepted {
                    noteBootAccepted()
                    if response.interval > 0 {
                        state.withLock { _ = $0.settings.set("HeartbeatInterval", to: String(response.interval)) }
                    }
                    return true
                }
                retry = response.interval > 0 ? Double(response.interval) : configuration.bootRetryInterval
            } catch {
                retry = configuration.bootRetryInterval
            }
            try? await Task.sleep(for: .seconds(retry))
        }
        return false
    }

    func bootRequest() -> BootNotificationRequest {
        BootNotificationRequest(
            chargePointVendor: String(configuration.vendor.prefix(20)),
            chargePointModel: String(configuration.model.prefix(20)),
            chargePointSerialNumber: configuration.serialNumber.map { String($0.prefix(25)) },
            firmwareVersion: String(state.withLock { $0.firmwareVersion }.prefix(50)),
            meterType: "Simulated", meterSerialNumber: String("M-\(configuration.id)".prefix(25)))
    }

    /// After a boot, the status of the charge point and of every connector
    /// (OCPP 1.6 §4.9): whatever changed while offline was not reported.
    private func reportStatuses(_ session: ConnectionLink.Session) async {
        let statuses = state.withLock { state in
            [(0, state.operative ? StatusNotificationRequest.Status.available : .unavailable)]
                + state.connectors.enumerated().map { ($0.offset + 1, $0.element.status) }
        }
        for (connectorId, status) in statuses {
            let request = StatusNotificationRequest(
                connectorId: connectorId, errorCode: .noError, status: status, timestamp: Date())
            _ = try? await call(session, StatusNotification.self, request)
        }
    }

    private func sendHeartbeats(_ session: ConnectionLink.Session) async {
        while !Task.isCancelled {
            let interval = state.withLock { $0.settings.int("HeartbeatInterval", or: 0) }
            let seconds = interval > 0 ? interval : configuration.heartbeatInterval
            guard (try? await Task.sleep(for: .seconds(seconds))) != nil else { return }
            _ = try? await call(session, Heartbeat.self, HeartbeatRequest())
        }
    }

    /// A call to the central system, counted.
    func call<A: OCPPAction>(_ session: ConnectionLink.Session, _ action: A.Type, _ request: A.Request)
        async throws -> A.Response
    {
        stats.callsSent.add(1, ordering: .relaxed)
        do {
            let response = try await session.call(action, request)
            stats.callsAnswered.add(1, ordering: .relaxed)
            return response
        } catch let error as OCPPCallError {
            stats.callErrors.add(1, ordering: .relaxed)
            throw error
        } catch {
            if !(error is CancellationError) { stats.callFailures.add(1, ordering: .relaxed) }
            throw error
        }
    }
}
