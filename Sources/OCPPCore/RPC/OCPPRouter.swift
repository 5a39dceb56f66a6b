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

    public let definition: OCPPProtocolDefinition
    private var handlers: [String: ErasedHandler] = [:]

    public init(_ definition: OCPPProtocolDefinition) {
        self.definition = definition
    }

    /// Serves `action` with `handler`; a later registration replaces an earlier one.
    public mutating func on<A: OCPPAction>(
        _ action: A.Type,
        use handler: @escaping @Sendable (A.Request, Context) async throws -> A.Response
    ) {
        precondition(definition.actions[A.name] != nil, "\(A.name) is not an action of OCPP \(definition.version)")
        handlers[A.name] = { call, context in
            let request = try call.decodePayload(as: A.Request.self)
            let response = try await handler(request, context)
            return response.jsonBytes()
        }
    }

    /// True when `action` has a handler.
    public func handles(_ action: String) -> Bool { handlers[action] != nil }

    /// Runs the handler of `call` and returns the whole answer frame, a
    /// CALLRESULT or a CALLERROR.
    public func respond(to call: OCPPCall, context: Context, logger: Logger) async -> [UInt8] {
        let version = definition.version
        guard let handler = handlers[call.action] else {
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
            let payload = try await handler(call, context)
            return OCPPFrameWriter.callResult(id: call.id, payload: RawJSON(payload))
        } catch let error as OCPPFrameError {
            return Self.frameErrorReply(error, version: version)
        } catch let error as OCPPValidationError {
            return OCPPFrameWriter.callError(
                id: call.id, code: error.code, description: error.description, version: version)
        } catch let error as OCPPCallError {
            return OCPPFrameWriter.callError(
                id: call.id, code: error.code, description: error.errorDescription, details: error.details,
                version: version)
        } catch {
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
