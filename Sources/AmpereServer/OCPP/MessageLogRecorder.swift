import AmpereDomain
import Foundation
import OCPPCore
import Synchronization

/// Turns one connection's frames into message log records, naming the
/// action of each answer by the CALL it answers.
final class MessageLogRecorder: Sendable {
    let stationId: String
    let writer: MessageLogWriter
    let now: @Sendable () -> Date
    /// Actions of CALLs not yet answered, by direction of the CALL and message id.
    private let pending = Mutex<[PendingCall: String]>([:])
    /// Bound on remembered calls, so a peer that never answers cannot grow it.
    static let maxPending = 256

    init(stationId: String, writer: MessageLogWriter, now: @escaping @Sendable () -> Date) {
        self.stationId = stationId
        self.writer = writer
        self.now = now
    }

    /// Logs `frame`, parsing it to learn its type, id and action.
    func record(_ frame: [UInt8], direction: OCPPMessageRecord.Direction) {
        guard writer.isEnabled else { return }
        record(frame, parsed: try? OCPPMessage.parseDeferringPayload(frame), direction: direction)
    }

    /// Logs `frame`, already parsed into `parsed` (nil when it is not valid OCPP-J).
    func record(_ frame: [UInt8], parsed: OCPPMessage?, direction: OCPPMessageRecord.Direction) {
        guard writer.isEnabled else { return }
        var type = 0
        var messageId = "-1"
        var action: String?
        if let message = parsed {
            messageId = message.id
            switch message {
            case .call(let call):
                type = 2
                action = call.action
                let key = PendingCall(received: direction == .received, id: message.id)
                pending.withLock { calls in
                    if calls.count >= Self.maxPending { calls.removeAll() }
                    calls[key] = call.action
                }
            case .callResult:
                type = 3
                action = answered(PendingCall(received: direction == .sent, id: message.id))
            case .callError:
                type = 4
                action = answered(PendingCall(received: direction == .sent, id: message.id))
            }
        }
        append(frame, direction: direction, type: type, messageId: messageId, action: action)
    }

    /// Logs `frame`, the answer this node sends to the received `call`: its
    /// id and action are the call's, and it is not parsed again.
    func recordAnswer(_ frame: [UInt8], to call: OCPPCall) {
        guard writer.isEnabled else { return }
        _ = answered(PendingCall(received: true, id: call.id))
        // OCPP-J §4.1: the message type is the array's first element; our writer puts it right after `[`.
        let type = frame.count > 1 && frame[1] == UInt8(ascii: "4") ? 4 : 3
        append(frame, direction: .sent, type: type, messageId: call.id, action: call.action)
    }

    /// Forgets the call `key` names, now answered; returns its action.
    private func answered(_ key: PendingCall) -> String? {
        pending.withLock { $0.removeValue(forKey: key) }
    }

    private func append(
        _ frame: [UInt8], direction: OCPPMessageRecord.Direction, type: Int, messageId: String, action: String?
    ) {
        writer.append(
            OCPPMessageRecord(
                stationId: stationId, direction: direction, messageType: type, messageId: messageId, action: action,
                frame: String(decoding: frame, as: UTF8.self), at: now()))
    }
}

/// A CALL awaiting its answer: which side sent it, and its message id.
private struct PendingCall: Hashable, Sendable {
    /// Sent by the charge point.
    let received: Bool
    let id: String
}
