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
    ///
    /// The caller's own task waits on a continuation and sends the frame
    /// itself: a call costs no task of its own, and its deadline is one timer
    /// from `configuration.scheduleTimeout`. The deadline and a cancelled
    /// caller give up the slot at once, from the timer or the cancellation
    /// handler, so that a send stuck in the transport cannot hold it; the
    /// caller then hears of it once that send returns.
    func exchange(action: String, id: String, frame: [UInt8], timeout: Duration?) async throws -> RawJSON {
        try Task.checkCancellation()
        let waiter = Waiter()
        let enqueued = state.withLock { state in
            let result = state.machine.enqueue(id: id)
            if case .send = result { state.waiters[id] = waiter }
            if case .wait = result { state.waiters[id] = waiter }
            return result
        }
        switch enqueued {
        case .rejectClosed: throw OCPPSessionError.closed
        case .rejectDuplicate: throw OCPPSessionError.duplicateMessageId(id)
        case .send: waiter.post(.sendNow)
        case .wait: break
        }
        let deadline = configuration.scheduleTimeout(timeout ?? configuration.defaultTimeout) {
            self.abandon(id, telling: .failed(OCPPSessionError.timeout(action: action)))
        }
        defer { deadline.cancel() }
        do {
            while true {
                let event = await withTaskCancellationHandler {
                    await waiter.next()
                } onCancel: {
                    self.abandon(id, telling: .failed(CancellationError()))
                }
                switch event {
                case .sendNow:
                    try await send(frame)
                case .answered(.result(let payload)):
                    return payload
                case .answered(.error(let message)):
                    throw OCPPCallError(received: message)
                case .failed(let error):
                    throw error
                }
            }
        } catch {
            // A failed send frees the slot; an answer, a deadline or a close has already.
            abandon(id, telling: .failed(error))
            throw error
        }
    }
}
