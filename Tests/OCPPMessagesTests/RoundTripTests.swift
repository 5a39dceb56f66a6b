import Foundation
import OCPP16
import OCPP201
import OCPPCore
import Testing

/// Decode → encode → decode of every valid sample of every action: nothing
/// is lost and the canonical form is stable.
@Suite struct RoundTripTests {
    @Test(arguments: ["1.6", "2.0.1"])
    func everyValidSampleSurvivesARoundTrip(version: String) throws {
        let definition = try #require(SchemaValidationTests.definitions[version])
        var actionsSeen: Set<String> = []
        for sample in try Sample.load(version) where sample.valid {
            let descriptor = try #require(definition.actions[sample.action])
            let canonical = sample.isRequest ? descriptor.canonicalRequest : descriptor.canonicalResponse
            let once = try canonical(sample.payload)
            let twice = try canonical(once[...])
            #expect(once == twice, "\(sample): canonical form is not stable")
            // The same JSON as sent, value for value (dates in one form, numbers exact).
            let original = try JSONValue.decode(json: sample.payload)
            let encoded = try JSONValue.decode(json: once)
            #expect(original == encoded, "\(sample): \(String(decoding: once, as: UTF8.self))")
            actionsSeen.insert(sample.action)
        }
        #expect(actionsSeen == Set(definition.actions.keys))
    }

    @Test func typedMeterValuesKeepEveryField() throws {
        let payload = #"""
            {"connectorId":2,"transactionId":77,"meterValue":[{"timestamp":"2026-11-21T10:15:30.123Z",
            "sampledValue":[{"value":"12345.6","context":"Sample.Periodic","format":"Raw",
            "measurand":"Energy.Active.Import.Register","phase":"L1-N","location":"Outlet","unit":"kWh"}]}]}
            """#
        let request = try OCPP16.MeterValuesRequest.decode(json: payload)
        #expect(request.connectorId == 2)
        #expect(request.transactionId == 77)
        let sampled = try #require(request.meterValue.first?.sampledValue.first)
        #expect(sampled.value == "12345.6")
        #expect(sampled.context == .samplePeriodic)
        #expect(sampled.measurand == .energyActiveImportRegister)
        #expect(sampled.phase == .l1N)
        #expect(sampled.unit == .kWh)
        #expect(OCPPDateTime.format(request.meterValue[0].timestamp) == "2026-11-21T10:15:30.123Z")
        #expect(try OCPP16.MeterValuesRequest.decode(json: request.jsonBytes()) == request)
    }

    @Test func v201NumbersAreExactDecimals() throws {
        let payload = #"""
            {"evseId":1,"meterValue":[{"timestamp":"2026-11-21T10:15:30Z",
            "sampledValue":[{"value":0.1},{"value":12345.678,"unitOfMeasure":{"unit":"kWh","multiplier":-1}}]}]}
            """#
        let request = try OCPP201.MeterValuesRequest.decode(json: payload)
        let values = request.meterValue[0].sampledValue.map(\.value)
        #expect(values == [Decimal(string: "0.1")!, Decimal(string: "12345.678")!])
        #expect(request.meterValue[0].sampledValue[1].unitOfMeasure?.multiplier == -1)
        #expect(request.jsonString().contains("12345.678"))
    }

    @Test func customDataKeepsVendorProperties() throws {
        let payload = #"{"customData":{"vendorId":"com.example","color":"blue","n":[1,2]}}"#
        let request = try OCPP201.HeartbeatRequest.decode(json: payload)
        let custom = try #require(request.customData)
        #expect(custom.vendorId == "com.example")
        #expect(custom.additionalProperties["color"] == "blue")
        #expect(custom.additionalProperties["n"] == [1, 2])
        #expect(try OCPP201.HeartbeatRequest.decode(json: request.jsonBytes()) == request)
    }

    @Test func foundationCodersSeeTheSameRulesAndDateForm() throws {
        let request = OCPP16.StartTransactionRequest(
            connectorId: 1, idTag: "04A1B2C3", meterStart: 100,
            timestamp: OCPPDateTime.parse("2026-11-21T10:15:30.5Z")!)
        let data = try JSONEncoder().encode(request)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""timestamp":"2026-11-21T10:15:30.500Z""#))
        #expect(try JSONDecoder().decode(OCPP16.StartTransactionRequest.self, from: data) == request)
        // Validation holds on the Codable path too.
        let bad = Data(#"{"connectorId":1,"idTag":"04A1B2C3","meterStart":100}"#.utf8)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(OCPP16.StartTransactionRequest.self, from: bad) }
    }

    @Test func escapedStringsDecodeAndEncodeBack() throws {
        let payload = #"{"vendorId":"ac\u00e9 \"q\" \\ \n","messageId":"\ud83d\ude00"}"#
        let request = try OCPP16.DataTransferRequest.decode(json: payload)
        #expect(request.vendorId == "acé \"q\" \\ \n")
        #expect(request.messageId == "😀")
        #expect(try OCPP16.DataTransferRequest.decode(json: request.jsonBytes()) == request)
    }
}
