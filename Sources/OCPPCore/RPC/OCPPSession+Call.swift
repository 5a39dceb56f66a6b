extension OCPPSession {
    /// Calls `action` on the peer and returns its decoded, validated response.
    ///
    /// Throws `OCPPCallError` when the peer answers with a CALLERROR,
    /// `OCPPSessionError.invalidResponse` when the answer breaks the
    /// response schema, `.timeout` when no answer comes within `timeout`
    /// (default `configuration.defaultTimeout`, queue time included) and
    /// `CancellationError` when the calling task is cancelled.
    public func call<A: OCPPAction>(_ action: A.Type, _ request: A.Request, timeout: Duration? = nil) async throws
        -> A.Response
    {
        guard router.definition.actions[A.name] != nil else { throw OCPPSessionError.unknownAction(A.name) }
        let id = configuration.makeMessageId()
        let frame = OCPPFrameWriter.call(id: id, action: A.name, payload: request)
        let payload = try await exchange(action: A.name, id: id, frame: frame, timeout: timeout)
        do {
            return try A.Response.decode(json: payload.bytes)
        } catch {
            throw OCPPSessionError.invalidResponse(error)
        }
    }

    /// Calls `action` with a payload already in JSON, for pass-through.
    ///
    /// The payload is validated against the version's request schema before
    /// anything is sent (throws `OCPPValidationError`); an action the version
    /// lacks throws `OCPPSessionError.unknownAction`. Returns the CALLRESULT
    /// payload as received, after validating it against the response schema.
    public func call(action: String, payload: RawJSON, timeout: Duration? = nil) async throws -> RawJSON {
        guard let descriptor = router.definition.actions[action] else {
            throw OCPPSessionError.unknownAction(action)
        }
        try descriptor.validateRequest(payload.bytes)
        let id = configuration.makeMessageId()
        let frame = OCPPFrameWriter.call(id: id, action: action, payload: payload)
        let response = try await exchange(action: action, id: id, frame: frame, timeout: timeout)
        do {
            try descriptor.validateResponse(response.bytes)
        } catch {
            throw OCPPSessionError.invalidResponse(error)
        }
        return response
    }

    /// Queues the call, sends it when it holds the slot, and waits for its
    /// answer or its deadline, whichever comes first.
    func exchange(action: String, id: String, frame: [UInt8], timeout: Duration?) async throws -> RawJSON {
        let deadline = ContinuousClock.now + (timeout ?? configuration.defaultTimeout)
        try Task.checkCancellation()
        let (events, waiter) = AsyncStream.makeStream(of: CallEvent.self)
        let enqueued = state.withLock { state in
            let result = state.machine.enqueue(id: id)
            if case .send = result { state.waiters[id] = waiter }
            if case .wait = result { state.waiters[id] = waiter }
            return result
        }
        switch enqueued {
        case .rejectClosed: throw OCPPSessionError.closed
        case .rejectDuplicate: throw OCPPSessionError.duplicateMessageId(id)
        case .send: waiter.yield(.sendNow)
        case .wait: break
        }

        let outcome = try await withThrowingTaskGroup(of: CallOutcome?.self) { group in
            group.addTask { try await Self.run(frame: frame, events: events, send: self.send) }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            do {
                guard case .some(.some(let outcome)) = try await group.next() else {
                    throw OCPPSessionError.timeout(action: action)
                }
                group.cancelAll()
                return outcome
            } catch {
                // Free the slot before the group waits for its children, so
                // that a send stuck in the transport cannot hold it.
                group.cancelAll()
                abandon(id)
                throw error
            }
        }
        switch outcome {
        case .result(let payload): return payload
        case .error(let message): throw OCPPCallError(received: message)
        }
    }

    /// Sends `frame` when told to and returns the answer. Ends with
    /// `CancellationError` when the task is cancelled first.
    private static func run(
        frame: [UInt8],
        events: AsyncStream<CallEvent>,
        send: @Sendable ([UInt8]) async throws -> Void
    ) async throws -> CallOutcome? {
        for await event in events {
            switch event {
            case .sendNow: try await send(frame)
            case .answered(let outcome): return outcome
            case .failed(let error): throw error
            }
        }
        throw CancellationError()
    }
}
