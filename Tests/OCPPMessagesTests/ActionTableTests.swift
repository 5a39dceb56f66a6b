import OCPP16
import OCPP201
import OCPPCore
import Testing

/// The action tables: every action of both versions, with its direction.
@Suite struct ActionTableTests {
    /// OCPP 1.6 edition 2 core and feature profiles: 28 actions.
    static let core16: Set<String> = [
        "Authorize", "BootNotification", "CancelReservation", "ChangeAvailability", "ChangeConfiguration",
        "ClearCache", "ClearChargingProfile", "DataTransfer", "DiagnosticsStatusNotification",
        "FirmwareStatusNotification", "GetCompositeSchedule", "GetConfiguration", "GetDiagnostics",
        "GetLocalListVersion", "Heartbeat", "MeterValues", "RemoteStartTransaction", "RemoteStopTransaction",
        "ReserveNow", "Reset", "SendLocalList", "SetChargingProfile", "StartTransaction", "StatusNotification",
        "StopTransaction", "TriggerMessage", "UnlockConnector", "UpdateFirmware",
    ]

    @Test func ocpp16HasTheCoreActionsAndTheSecurityExtension() {
        #expect(Self.core16.count == 28)
        let names = Set(OCPP16.Action.allCases.map(\.rawValue))
        #expect(Self.core16.isSubset(of: names))
        #expect(names.count == 39)
        #expect(OCPPProtocolDefinition.ocpp16.actions.count == 39)
        #expect(OCPPProtocolDefinition.ocpp16.version == .v16)
    }

    @Test func ocpp201HasSixtyFourActions() {
        #expect(OCPP201.Action.allCases.count == 64)
        #expect(OCPPProtocolDefinition.ocpp201.actions.count == 64)
        #expect(OCPPProtocolDefinition.ocpp201.version.subprotocol == "ocpp2.0.1")
    }

    @Test func directions() {
        #expect(OCPP16.BootNotification.direction == .toCentralSystem)
        #expect(OCPP16.RemoteStartTransaction.direction == .toChargePoint)
        #expect(OCPP16.DataTransfer.direction == .both)
        #expect(OCPP16.Action.signCertificate.direction == .toCentralSystem)
        #expect(OCPP16.Action.certificateSigned.direction == .toChargePoint)
        #expect(OCPP201.TransactionEvent.direction == .toCentralSystem)
        #expect(OCPP201.RequestStartTransaction.direction == .toChargePoint)
        #expect(OCPP201.Action.notifyReport.direction == .toCentralSystem)
        #expect(OCPP201.Action.getVariables.direction == .toChargePoint)
        let toCS16 = OCPP16.Action.allCases.filter { $0.direction == .toCentralSystem }.count
        let toCP16 = OCPP16.Action.allCases.filter { $0.direction == .toChargePoint }.count
        #expect((toCS16, toCP16) == (13, 25))
        let toCS201 = OCPP201.Action.allCases.filter { $0.direction == .toCentralSystem }.count
        #expect(toCS201 == 24)
    }

    @Test func typedActionsMatchTheirDescriptors() {
        #expect(OCPP16.Action.meterValues.descriptor.name == OCPP16.MeterValues.name)
        #expect(OCPP201.Action.transactionEvent.descriptor.direction == OCPP201.TransactionEvent.direction)
    }
}
