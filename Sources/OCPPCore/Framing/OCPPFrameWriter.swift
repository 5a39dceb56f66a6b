/// Serializes OCPP-J frames.
public enum OCPPFrameWriter {
    /// `[2,"id","action",payload]`.
    @inlinable
    public static func call<P: OCPPJSONCodable>(id: String, action: String, payload: P) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.literal("[2,")
        writer.string(id)
        writer.literal(",")
        writer.string(action)
        writer.literal(",")
        payload.encode(json: &writer)
        writer.endArray()
        return writer.bytes
    }

    /// `[2,"id","action",payload]` with a payload already in JSON.
    public static func call(id: String, action: String, payload: RawJSON) -> [UInt8] {
        var writer = JSONWriter(capacity: payload.bytes.count + 64)
        writer.literal("[2,")
        writer.string(id)
        writer.literal(",")
        writer.string(action)
        writer.literal(",")
        writer.raw(payload.bytes)
        writer.endArray()
        return writer.bytes
    }

    /// `[3,"id",payload]`.
    @inlinable
    public static func callResult<P: OCPPJSONCodable>(id: String, payload: P) -> [UInt8] {
        var writer = JSONWriter(capacity: 64)
        writer.literal("[3,")
        writer.string(id)
        writer.literal(",")
        payload.encode(json: &writer)
        writer.endArray()
        return writer.bytes
    }

    /// `[3,"id",payload]` with a payload already in JSON.
    public static func callResult(id: String, payload: RawJSON) -> [UInt8] {
        var writer = JSONWriter(capacity: payload.bytes.count + 48)
        writer.literal("[3,")
        writer.string(id)
        writer.literal(",")
        writer.raw(payload.bytes)
        writer.endArray()
        return writer.bytes
    }

    /// The longest errorDescription sent (OCPP-J 2.0.1 §4.2.3: string[0..255]).
    public static let maxErrorDescriptionLength = 255

    /// `[4,"id","code","description",details]`, the code spelled for `version`.
    public static func callError(
        id: String,
        code: OCPPErrorCode,
        description: String,
        details: RawJSON = .emptyObject,
        version: OCPPVersion
    ) -> [UInt8] {
        callError(id: id, wireCode: code.wireName(for: version), description: description, details: details)
    }

    /// `[4,"id","code","description",details]` with the code as given.
    public static func callError(id: String, wireCode: String, description: String, details: RawJSON = .emptyObject)
        -> [UInt8]
    {
        var writer = JSONWriter(capacity: 128)
        writer.literal("[4,")
        writer.string(id)
        writer.literal(",")
        writer.string(wireCode)
        writer.literal(",")
        writer.string(String(description.prefix(maxErrorDescriptionLength)))
        writer.literal(",")
        writer.raw(details.bytes)
        writer.endArray()
        return writer.bytes
    }
}

extension OCPPMessage {
    /// The frame as bytes; a CALLERROR keeps its code as received.
    public func serialized() -> [UInt8] {
        switch self {
        case .call(let call): OCPPFrameWriter.call(id: call.id, action: call.action, payload: call.payload)
        case .callResult(let result): OCPPFrameWriter.callResult(id: result.id, payload: result.payload)
        case .callError(let error):
            OCPPFrameWriter.callError(
                id: error.id, wireCode: error.code, description: error.description, details: error.details)
        }
    }
}
