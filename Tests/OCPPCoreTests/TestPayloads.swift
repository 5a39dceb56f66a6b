import OCPPCore

/// `{"text": string (required, maxLength 20), "count": integer (optional, minimum 0)}`,
/// no other properties: a hand-written stand-in for a generated payload.
struct EchoRequest: OCPPPayload {
    var text: String
    var count: Int?

    init(text: String, count: Int? = nil) {
        self.text = text
        self.count = count
    }

    init(json reader: inout JSONReader) throws(OCPPValidationError) {
        try reader.beginObject()
        var text: String?
        var count: Int?
        while let key = try reader.nextKey() {
            switch key {
            case "text":
                do {
                    let value = try reader.readString()
                    try OCPPConstraints.maxLength(value, 20)
                    text = value
                } catch { throw error.at("text") }
            case "count":
                do {
                    let value = try reader.readInt()
                    try OCPPConstraints.minimum(value, 0)
                    count = value
                } catch { throw error.at("count") }
            default:
                throw .unexpectedProperty(try key.decoded())
            }
        }
        guard let text else { throw .missingProperty("text") }
        self.init(text: text, count: count)
    }

    func encode(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("text")
        writer.string(text)
        if let count {
            writer.key("count")
            writer.int(count)
        }
        writer.endObject()
    }

    init(from decoder: any Decoder) throws { self = try Self.decodeBridged(from: decoder) }
    func encode(to encoder: any Encoder) throws { try encodeBridged(to: encoder) }
}

/// `{"text": string (required)}`, no other properties.
struct EchoResponse: OCPPPayload {
    var text: String

    init(text: String) { self.text = text }

    init(json reader: inout JSONReader) throws(OCPPValidationError) {
        try reader.beginObject()
        var text: String?
        while let key = try reader.nextKey() {
            switch key {
            case "text":
                do { text = try reader.readString() } catch { throw error.at("text") }
            default:
                throw .unexpectedProperty(try key.decoded())
            }
        }
        guard let text else { throw .missingProperty("text") }
        self.init(text: text)
    }

    func encode(json writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("text")
        writer.string(text)
        writer.endObject()
    }

    init(from decoder: any Decoder) throws { self = try Self.decodeBridged(from: decoder) }
    func encode(to encoder: any Encoder) throws { try encodeBridged(to: encoder) }
}
