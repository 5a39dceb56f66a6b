import Foundation
import OCPP16
import OCPP201
import OCPPCore
import Testing

/// Every schema of both versions against the shared corpus: each valid
/// sample accepted, each invalid one rejected with the code and path the
/// specification's rules give (the Python `ocpp` package checks the same
/// verdicts in interop/test_schema_crosscheck.py).
@Suite struct SchemaValidationTests {
    static let definitions: [String: OCPPProtocolDefinition] = ["1.6": .ocpp16, "2.0.1": .ocpp201]

    @Test(arguments: ["1.6", "2.0.1"])
    func corpusVerdictsCodesAndPaths(version: String) throws {
        let definition = try #require(Self.definitions[version])
        let samples = try Sample.load(version)
        #expect(samples.count > 300)
        var checked = 0
        for sample in samples {
            let descriptor = try #require(definition.actions[sample.action], "\(sample)")
            let validate = sample.isRequest ? descriptor.validateRequest : descriptor.validateResponse
            do {
                try validate(sample.payload)
                #expect(sample.valid, "accepted an invalid payload: \(sample)")
            } catch {
                #expect(!sample.valid, "rejected a valid payload: \(sample): \(error)")
                if let code = sample.code {
                    #expect(error.code.rawValue == code, "\(sample): \(error)")
                }
                if let path = sample.path {
                    #expect(error.pathString == path, "\(sample): \(error)")
                }
            }
            checked += 1
        }
        #expect(checked == samples.count)
    }

    @Test(arguments: ["1.6", "2.0.1"])
    func everySchemaHasValidAndInvalidSamples(version: String) throws {
        let definition = try #require(Self.definitions[version])
        let samples = try Sample.load(version)
        for action in definition.actions.keys {
            for isRequest in [true, false] {
                let mine = samples.filter { $0.action == action && $0.isRequest == isRequest }
                #expect(mine.contains { $0.valid }, "\(version) \(action) has no valid sample")
                #expect(mine.contains { !$0.valid }, "\(version) \(action) has no invalid sample")
            }
        }
    }

    @Test func wireSpellingsDifferPerVersion() throws {
        let missing = try #require(
            throws: OCPPValidationError.self,
            performing: { try OCPP16.AuthorizeRequest.decode(json: "{}") })
        #expect(missing.code.wireName(for: .v16) == "OccurenceConstraintViolation")
        #expect(missing.code.wireName(for: .v201) == "OccurrenceConstraintViolation")
        let extra = try #require(
            throws: OCPPValidationError.self,
            performing: { try OCPP16.HeartbeatRequest.decode(json: #"{"x":1}"#) })
        #expect(extra.code.wireName(for: .v16) == "FormationViolation")
        #expect(extra.code.wireName(for: .v201) == "FormatViolation")
    }

    @Test func dateTimeFormatIsChecked() throws {
        let good = #"{"connectorId":1,"idTag":"A","meterStart":0,"timestamp":"2026-11-21T10:15:30+01:00"}"#
        let request = try OCPP16.StartTransactionRequest.decode(json: good)
        #expect(OCPPDateTime.format(request.timestamp) == "2026-11-21T09:15:30.000Z")
        let bad = #"{"connectorId":1,"idTag":"A","meterStart":0,"timestamp":"yesterday"}"#
        let error = try #require(
            throws: OCPPValidationError.self,
            performing: { try OCPP16.StartTransactionRequest.decode(json: bad) })
        #expect(error.code == .propertyConstraintViolation)
        #expect(error.pathString == "timestamp")
    }

    @Test func nestedPathsNameTheOffendingField() throws {
        let payload = #"""
            {"connectorId":1,"meterValue":[{"timestamp":"2026-11-21T10:00:00Z","sampledValue":[
            {"value":"1"},{"value":"2","unit":"Parsec"}]}]}
            """#
        let error = try #require(
            throws: OCPPValidationError.self,
            performing: { try OCPP16.MeterValuesRequest.decode(json: payload) })
        #expect(error.pathString == "meterValue[0].sampledValue[1].unit")
        #expect(error.code == .propertyConstraintViolation)
        #expect(error.description.contains("Parsec"))
    }

    @Test func integersMustNotHaveFractions() throws {
        // JSON Schema draft 4, as OCPP 1.6 uses it: 1.0 is a number, not an integer.
        let typeError = try #require(
            throws: OCPPValidationError.self,
            performing: { try OCPP16.BootNotificationResponse.decode(json: #"{"currentTime":"2026-11-21T10:00:00Z","interval":1.0,"status":"Accepted"}"#) })
        #expect(typeError.code == .typeConstraintViolation)
        #expect(typeError.pathString == "interval")
    }

    @Test func maxLengthCountsCodePoints() throws {
        // 20 code points, 40 UTF-8 bytes: within IdToken's maxLength 20.
        let tag = String(repeating: "é", count: 20)
        let request = try OCPP16.AuthorizeRequest.decode(json: #"{"idTag":"\#(tag)"}"#)
        #expect(request.idTag == tag)
        #expect(throws: OCPPValidationError.self) {
            try OCPP16.AuthorizeRequest.decode(json: #"{"idTag":"\#(tag)é"}"#)
        }
    }
}
