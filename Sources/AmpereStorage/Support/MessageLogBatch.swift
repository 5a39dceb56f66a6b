import AmpereDomain
import Foundation

/// A run of one station's logged frames stored as one `ocpp_message_batches` row: the
/// message log's unit of storage. A row per frame cost the log's writer about 2 µs a frame
/// (its three B-tree inserts and the frame's trip through a JSON array of rows), which made
/// logging every Heartbeat a fifth of the server's CPU; one row per station per flush costs a
/// third of that (docs/PERFORMANCE.md, twenty-seventh session).
///
/// The row's text holds each frame as a header of decimal fields and its texts right after:
/// `index,direction,type,at,idBytes,actionBytes,frameBytes;` then the message id, the action
/// and the frame, lengths in UTF-8 bytes (`actionBytes` -1: no action; `direction` `r` or
/// `s`; `at` in milliseconds since 1970). `index` is the frame's place in the run when it
/// was written, kept through a prune that removes frames before it, so that a frame's id
/// (`id(batch:index:)`) never changes.
struct MessageLogBatch {
    /// Frames one row holds at most: the room an index has in a frame's id.
    static let maxFrames = 1024

    /// The id the API shows for frame `index` of row `batch`: ascending in the order frames were logged.
    static func id(batch: Int, index: Int) -> Int { batch * maxFrames + index }

    /// A run's frames, each with its index in the run.
    var entries: [(index: Int, record: OCPPMessageRecord)]

    var firstAt: Int { entries.lazy.map { Millis.from($0.record.at) }.min() ?? 0 }
    var lastAt: Int { entries.lazy.map { Millis.from($0.record.at) }.max() ?? 0 }

    /// The row's text.
    func encoded() -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(
            entries.reduce(0) { $0 + $1.record.frame.utf8.count + $1.record.messageId.utf8.count + 48 })
        for (index, record) in entries {
            let id = record.messageId.utf8, frame = record.frame.utf8
            Self.appendDecimal(index, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            bytes.append(UInt8(ascii: record.direction == .received ? "r" : "s"))
            bytes.append(UInt8(ascii: ","))
            Self.appendDecimal(record.messageType, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            Self.appendDecimal(Millis.from(record.at), to: &bytes)
            bytes.append(UInt8(ascii: ","))
            Self.appendDecimal(id.count, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            Self.appendDecimal(record.action.map { $0.utf8.count } ?? -1, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            Self.appendDecimal(frame.count, to: &bytes)
            bytes.append(UInt8(ascii: ";"))
            bytes.append(contentsOf: id)
            if let action = record.action { bytes.append(contentsOf: action.utf8) }
            bytes.append(contentsOf: frame)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The frames of row `batch` of `stationId` from its text, in the order they were logged.
    static func decode(_ text: String, batch: Int, stationId: String) throws -> MessageLogBatch {
        var text = text
        return try text.withUTF8 { bytes in
            var entries: [(index: Int, record: OCPPMessageRecord)] = []
            var position = 0
            func malformed() -> StorageError {
                StorageError(.unexpectedData, reason: "message log row \(batch) is malformed at byte \(position)")
            }
            func number(ending terminator: UInt8) throws -> Int {
                var value = 0, negative = false, digits = 0
                if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
                    negative = true
                    position += 1
                }
                while position < bytes.count, bytes[position] != terminator {
                    let digit = Int(bytes[position]) - 48
                    guard (0...9).contains(digit), digits < 18 else { throw malformed() }
                    value = value * 10 + digit
                    digits += 1
                    position += 1
                }
                guard position < bytes.count, digits > 0 else { throw malformed() }
                position += 1
                return negative ? -value : value
            }
            func text(_ count: Int) throws -> String {
                guard count >= 0, count <= bytes.count - position else { throw malformed() }
                defer { position += count }
                return String(
                    decoding: UnsafeBufferPointer(rebasing: bytes[position..<position + count]), as: UTF8.self)
            }
            while position < bytes.count {
                let index = try number(ending: UInt8(ascii: ","))
                guard position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: ",") else { throw malformed() }
                let direction: OCPPMessageRecord.Direction
                switch bytes[position] {
                case UInt8(ascii: "r"): direction = .received
                case UInt8(ascii: "s"): direction = .sent
                default: throw malformed()
                }
                position += 2
                let type = try number(ending: UInt8(ascii: ","))
                let at = try number(ending: UInt8(ascii: ","))
                let idCount = try number(ending: UInt8(ascii: ","))
                let actionCount = try number(ending: UInt8(ascii: ","))
                let frameCount = try number(ending: UInt8(ascii: ";"))
                guard index >= 0, index < maxFrames, actionCount >= -1 else { throw malformed() }
                let messageId = try text(idCount)
                let action = actionCount < 0 ? nil : try text(actionCount)
                let frame = try text(frameCount)
                entries.append(
                    (
                        index,
                        OCPPMessageRecord(
                            id: id(batch: batch, index: index), stationId: stationId, direction: direction,
                            messageType: type, messageId: messageId, action: action, frame: frame,
                            at: Millis.date(at))
                    ))
            }
            return MessageLogBatch(entries: entries)
        }
    }

    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        // At most 20 characters: a small string, no allocation.
        bytes.append(contentsOf: String(value).utf8)
    }
}
