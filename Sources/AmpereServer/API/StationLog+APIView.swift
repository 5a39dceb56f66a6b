import AmpereDomain
import OCPPCore

extension StationEvent {
    /// The event (schema `StationEvent`), its payload as JSON (as text if it was stored broken).
    var apiView: JSONValue {
        [
            "id": .integer(id),
            "kind": .string(kind),
            "payload": (try? JSONValue.decode(json: payload)) ?? .string(payload),
            "at": .timestamp(at),
        ]
    }
}

extension OCPPMessageRecord {
    /// One logged frame (schema `OCPPMessage`).
    var apiView: JSONValue {
        [
            "id": .integer(id),
            "direction": .string(direction.rawValue),
            "messageType": .integer(messageType),
            "messageId": .string(messageId),
            "action": .text(action),
            "frame": .string(frame),
            "at": .timestamp(at),
        ]
    }
}
