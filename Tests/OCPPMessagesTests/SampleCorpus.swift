import Foundation
import OCPPCore

/// One payload of the shared sample corpus (`scripts/make_ocpp_samples.py`),
/// with the verdict the schemas give it by construction.
struct Sample: CustomStringConvertible {
    var version: String
    var action: String
    var isRequest: Bool
    var name: String
    /// The payload exactly as it stands in the fixture.
    var payload: ArraySlice<UInt8>
    var valid: Bool
    var code: String?
    var path: String?

    var description: String { "\(version) \(action) \(isRequest ? "request" : "response") \(name)" }

    /// Every sample of `version` ("1.6" or "2.0.1").
    static func load(_ version: String) throws -> [Sample] {
        guard let url = Bundle.module.url(forResource: "Fixtures/samples-\(version)", withExtension: "json") else {
            throw OCPPValidationError(.syntax, "fixture samples-\(version).json is missing")
        }
        let bytes = Array(try Data(contentsOf: url))
        return try JSONReader.withReader(bytes) { (reader: inout JSONReader) throws(OCPPValidationError) -> [Sample] in
            var samples: [Sample] = []
            try reader.beginArray()
            while try reader.nextElement() {
                var sample = Sample(
                    version: version, action: "", isRequest: true, name: "", payload: [], valid: false)
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    switch key {
                    case "action": sample.action = try reader.readString()
                    case "message": sample.isRequest = try reader.readString() == "request"
                    case "case": sample.name = try reader.readString()
                    case "valid": sample.valid = try reader.readBool()
                    case "code": sample.code = reader.readNullIfPresent() ? nil : try reader.readString()
                    case "path": sample.path = reader.readNullIfPresent() ? nil : try reader.readString()
                    case "payload":
                        reader.skipWhitespaceForCapture()
                        let start = reader.offset
                        try reader.skipValue()
                        sample.payload = bytes[start..<reader.offset]
                    default: try reader.skipValue()
                    }
                }
                samples.append(sample)
            }
            return samples
        }
    }
}

extension JSONReader {
    /// Moves past whitespace so that `offset` is where the next value starts.
    mutating func skipWhitespaceForCapture() { _ = peekKind() }
}
