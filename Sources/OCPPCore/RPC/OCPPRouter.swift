import Logging

/// The table that maps each incoming action to its typed handler.
///
/// An action the version does not define is answered `NotImplemented`; one
/// it defines but no handler serves, `NotSupported` (OCPP-J 1.6 §4.2.3).
/// A payload that breaks the schema is answered with the violation's code
/// before any handler runs.
public struct OCPPRouter<Context: Sendable>: Sendable {
    /// A handler with its payload types erased: the call in, response JSON out.
    public typealias ErasedHandler = @Sendable (OCPPCall, Context) async throws -> [UInt8]
    /// A handler that answers without waiting for anything (no storage, no
    /// other task), erased the same way.
    public typealias ImmediateHandler = @Sendable (OCPPCall, Context) throws -> [UInt8]

    private enum Handler: Sendable {
        case immediate(ImmediateHandler)
        case suspending(ErasedHandler)
    }

    public let definition: OCPPProtocolDefinition
    private var handlers: [String: Handler] = [:]

    public init(_ definition: OCPPProtocolDefinition) {
        self.definition = definition
    }

    /// Serves `action` with `handler`; a later registration replaces an earlier one.
    public mutating func on<A: OCPPAction>(
        _ action: A.Type,
        use handler: @escaping @Sendable (A.Request, Context) async throws -> A.Response
    ) {
        precondition(definition.actions[A.name] != nil, "\(A.name) is not an action of OCPP \(definition.version)")
        handlers[A.name] = .suspending { call, context in
            let request = try call.decodePayload(as: A.Request.self)
            let response = try await handler(request, context)
            return response.jsonBytes()
        }
    }

    /// Serves `action` with a handler that never waits: its CALLs can be
    /// answered on the thread that received them (`respondImmediately`).
    /// A later registration replaces an earlier one.
    public mutating func onImmediate<A: OCPPAction>(
        _ action: A.Type,
        use handler: @escaping @Sendable (A.Request, Context) throws -> A.Response
    ) {
        precondition(definition.actions[A.name] != nil, "\(A.name) is not an action of OCPP \(definition.version)")
        handlers[A.name] = .immediate { call, context in
            let request = try call.decodePayload(as: A.Request.self)
            return try handler(request, context).jsonBytes()
        }
    }

    /// True when `action` has a handler.
    public func handles(_ action: String) -> Bool { handlers[action] != nil }

    /// The actions with a handler, sorted.
    public var actions: [String] { handlers.keys.sorted() }

    /// Runs the handler of `call` and returns the whole answer frame, a
    /// CALLRESULT or a CALLERROR.
    public func respond(to call: OCPPCall, context: Context, logger: Logger) async -> [UInt8] {
        switch handlers[call.action] {
        case .suspending(let handler):
            do {
                return OCPPFrameWriter.callResult(id: call.id, payload: RawJSON(try await handler(call, context)))
            } catch {
                return answer(to: call, failedWith: error, logger: logger)
            }
        case .immediate(let handler):
            return answer(to: call, using: handler, context: context, logger: logger)
        case nil:
            return answer(to: call, using: nil, context: context, logger: logger)
        }
    }

    /// The whole answer frame of `call` when it is known without waiting:
    /// its handler is immediate, or there is none (the action is refused);
    /// nil, having run nothing, when its handler must be awaited through
    /// `respond(to:context:logger:)`.
    public func respondImmediately(to call: OCPPCall, context: Context, logger: Logger) -> [UInt8]? {
        switch handlers[call.action] {
        case .suspending: nil
        case .immediate(let handler): answer(to: call, using: handler, context: context, logger: logger)
        case nil: answer(to: call, using: nil, context: context, logger: logger)
        }
    }

    /// Runs an immediate `handler`, or refuses the action when there is none.
    private func answer(
        to call: OCPPCall, using handler: ImmediateHandler?, context: Context, logger: Logger
    ) -> [UInt8] {
        let version = definition.version
        guard let handler else {
            // A broken frame is reported as such before the action is judged.
            do { _ = try call.checkedPayload() } catch { return Self.frameErrorReply(error, version: version) }
            let known = definition.actions[call.action] != nil
            return OCPPFrameWriter.callError(
                id: call.id,
                code: known ? .notSupported : .notImplemented,
                description: known ? "\(call.action) is not supported" : "unknown action '\(call.action)'",
                version: version)
        }
        do {
            return OCPPFrameWriter.callResult(id: call.id, payload: RawJSON(try handler(call, context)))
        } catch {
            return answer(to: call, failedWith: error, logger: logger)
        }
    }

    /// The CALLERROR that answers `call` whose handler threw `error`.
    private func answer(to call: OCPPCall, failedWith error: any Error, logger: Logger) -> [UInt8] {
        let version = definition.version
        switch error {
        case let error as OCPPFrameError:
            return Self.frameErrorReply(error, version: version)
        case let error as OCPPValidationError:
            return OCPPFrameWriter.callError(
                id: call.id, code: error.code, description: error.description, version: version)
        case let error as OCPPCallError:
            return OCPPFrameWriter.callError(
                id: call.id, code: error.code, description: error.errorDescription, details: error.details,
                version: version)
        default:
            // Details of an unexpected failure stay in the log, never on the wire.
            logger.error(
                "OCPP handler failed",
                metadata: ["action": "\(call.action)", "messageId": "\(call.id)", "error": "\(error)"])
            return OCPPFrameWriter.callError(
                id: call.id, code: .internalError, description: "internal error", version: version)
        }
    }

    /// The CALLERROR that answers a frame that is not valid OCPP-J.
    public static func frameErrorReply(_ error: OCPPFrameError, version: OCPPVersion) -> [UInt8] {
        OCPPFrameWriter.callError(id: error.replyId, code: error.code, description: error.reason, version: version)
    }
}
