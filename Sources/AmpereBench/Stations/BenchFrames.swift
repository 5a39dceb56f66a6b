import Foundation
import NIOCore
import OCPPCore

/// The CALL frames bench stations send, written straight into the buffer
/// that goes to the socket: the constant parts are static bytes, only ids,
/// numbers and timestamps are formatted per message.
enum BenchFrames {
    /// `[2,"<id>","<Action>",` — the payload and `]` follow.
    static func open(_ buffer: inout ByteBuffer, id: UInt64, action: StaticString) {
        buffer.writeStaticString("[2,\"")
        buffer.writeString(String(id))
        buffer.writeStaticString("\",\"")
        buffer.writeStaticString(action)
        buffer.writeStaticString("\",")
    }

    static func bootNotification(_ buffer: inout ByteBuffer, id: UInt64, serial: String) {
        open(&buffer, id: id, action: "BootNotification")
        buffer.writeStaticString(
            #"{"chargePointVendor":"AmpereBench","chargePointModel":"Load","chargePointSerialNumber":""#)
        buffer.writeString(String(serial.prefix(25)))
        buffer.writeStaticString(#"","firmwareVersion":"1.0.0"}]"#)
    }

    /// The connector (0: the whole charge point) is Available, with no error.
    static func statusNotification(_ buffer: inout ByteBuffer, id: UInt64, connectorId: Int) {
        open(&buffer, id: id, action: "StatusNotification")
        buffer.writeStaticString(#"{"connectorId":"#)
        buffer.writeString(String(connectorId))
        buffer.writeStaticString(#","errorCode":"NoError","status":"Available"}]"#)
    }

    static func heartbeat(_ buffer: inout ByteBuffer, id: UInt64) {
        open(&buffer, id: id, action: "Heartbeat")
        buffer.writeStaticString("{}]")
    }

    static func startTransaction(
        _ buffer: inout ByteBuffer, id: UInt64, idTag: String, meterStart: Int, timestamp: ArraySlice<UInt8>
    ) {
        open(&buffer, id: id, action: "StartTransaction")
        buffer.writeStaticString(#"{"connectorId":1,"idTag":""#)
        buffer.writeString(idTag)
        buffer.writeStaticString(#"","meterStart":"#)
        buffer.writeString(String(meterStart))
        buffer.writeStaticString(#","timestamp":""#)
        buffer.writeBytes(timestamp)
        buffer.writeStaticString(#""}]"#)
    }

    /// MeterValues with the ten sampled values of `sampledKinds`, the energy register first.
    static func meterValues(
        _ buffer: inout ByteBuffer, id: UInt64, transactionId: Int, energyWh: Int, timestamp: ArraySlice<UInt8>
    ) {
        open(&buffer, id: id, action: "MeterValues")
        buffer.writeStaticString(#"{"connectorId":1,"transactionId":"#)
        buffer.writeString(String(transactionId))
        buffer.writeStaticString(#","meterValue":[{"timestamp":""#)
        buffer.writeBytes(timestamp)
        buffer.writeStaticString(#"","sampledValue":[{"value":""#)
        buffer.writeString(String(energyWh))
        buffer.writeStaticString(
            #"","context":"Sample.Periodic","format":"Raw","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"}"#
        )
        buffer.writeBytes(otherSampledValues)
        buffer.writeStaticString("]}]}]")
    }

    static func stopTransaction(
        _ buffer: inout ByteBuffer, id: UInt64, transactionId: Int, idTag: String, meterStop: Int,
        timestamp: ArraySlice<UInt8>
    ) {
        open(&buffer, id: id, action: "StopTransaction")
        buffer.writeStaticString(#"{"transactionId":"#)
        buffer.writeString(String(transactionId))
        buffer.writeStaticString(#","idTag":""#)
        buffer.writeString(idTag)
        buffer.writeStaticString(#"","meterStop":"#)
        buffer.writeString(String(meterStop))
        buffer.writeStaticString(#","timestamp":""#)
        buffer.writeBytes(timestamp)
        buffer.writeStaticString(#"","reason":"Local"}]"#)
    }

    /// The measurand and phase of each sampled value of a MeterValues frame:
    /// each pair once, so each is stored as its own value.
    static let sampledKinds: [(measurand: String, phase: String?)] =
        [("Energy.Active.Import.Register", nil)] + otherKinds.map { ($0.measurand, $0.phase) }

    private static let otherKinds: [(measurand: String, unit: String, phase: String?, value: String)] = [
        ("Power.Active.Import", "W", nil, "11040"),
        ("Current.Import", "A", "L1", "16.0"), ("Current.Import", "A", "L2", "15.9"),
        ("Current.Import", "A", "L3", "16.1"),
        ("Voltage", "V", "L1-N", "230.1"), ("Voltage", "V", "L2-N", "229.8"), ("Voltage", "V", "L3-N", "231.0"),
        ("SoC", "Percent", nil, "47"), ("Temperature", "Celsius", nil, "31.5"),
    ]

    private static let otherSampledValues: [UInt8] = Array(
        otherKinds.map { kind in
            let phase = kind.phase.map { #","phase":"\#($0)""# } ?? ""
            return
                #",{"value":"\#(kind.value)","context":"Sample.Periodic","format":"Raw","measurand":"\#(kind.measurand)","location":"Outlet","unit":"\#(kind.unit)"\#(phase)}"#
        }.joined().utf8)
}
