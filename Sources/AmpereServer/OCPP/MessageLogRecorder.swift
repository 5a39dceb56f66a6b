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
    private let pending = Mutex<[String: String]>([:])
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
            let callKey = "\(direction == .received ? "in" : "out"):\(message.id)"
            let answerKey = "\(direction == .received ? "out" : "in"):\(message.id)"
            switch message {
            case .call(let call):
                type = 2
                action = call.action
                pending.withLock { calls in
                    if calls.count >= Self.maxPending { calls.removeAll() }
                    calls[callKey] = call.action
                }
            case .callResult:
                type = 3
                action = pending.withLock { $0.removeValue(forKey: answerKey) }
            case .callError:
                type = 4
                action = pending.withLock { $0.removeValue(forKey: answerKey) }
            }
        }
        writer.append(
            OCPPMessageRecord(
                stationId: stationId, direction: direction, messageType: type, messageId: messageId, action: action,
                frame: String(decoding: frame, as: UTF8.self), at: now()))
    }
}
