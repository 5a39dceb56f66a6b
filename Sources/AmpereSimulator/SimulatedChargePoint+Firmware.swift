import Foundation
import OCPP16

extension SimulatedChargePoint {
    /// UpdateFirmware (OCPP 1.6 §5.19, §6.3): from retrieveDate on,
    /// Downloading, Downloaded, Installing, a reboot into the new version,
    /// and Installed once booted again. Nothing is downloaded.
    func updateFirmware(_ request: UpdateFirmwareRequest) async {
        let wait = request.retrieveDate.timeIntervalSinceNow
        if wait > 0, (try? await Task.sleep(for: .milliseconds(Int64(min(wait, 1e9) * 1000)))) == nil { return }
        for status in [FirmwareStatusNotificationRequest.Status.downloading, .downloaded, .installing] {
            state.withLock { $0.firmwareStatus = status }
            outbox.enqueue(.firmwareStatus(.init(status: status)))
            guard (try? await Task.sleep(for: configuration.firmwareStepDelay)) != nil else { return }
        }
        state.withLock {
            $0.firmwareVersion = Self.firmwareVersion(from: request.location, previous: $0.firmwareVersion)
        }
        await reboot(stopping: .reboot)
    }

    /// After the reboot that installs new firmware: Installed, then Idle.
    func finishFirmwareInstallation() {
        let installed = state.withLock { state in
            defer { if state.firmwareStatus == .installing { state.firmwareStatus = .idle } }
            return state.firmwareStatus == .installing
        }
        if installed { outbox.enqueue(.firmwareStatus(.init(status: .installed))) }
    }

    /// GetDiagnostics (§5.9, §6.1): Uploading, then Uploaded. Nothing is uploaded.
    func uploadDiagnostics(_ request: GetDiagnosticsRequest) async {
        state.withLock { $0.diagnosticsStatus = .uploading }
        outbox.enqueue(.diagnosticsStatus(.init(status: .uploading)))
        guard (try? await Task.sleep(for: configuration.firmwareStepDelay)) != nil else { return }
        state.withLock { $0.diagnosticsStatus = .idle }
        outbox.enqueue(.diagnosticsStatus(.init(status: .uploaded)))
    }

    /// The version a firmware file brings: its name without the extension.
    static func firmwareVersion(from location: String, previous: String) -> String {
        let name = location.split(separator: "/").last.map(String.init) ?? ""
        let base = name.split(separator: ".").dropLast().joined(separator: ".")
        let version = base.isEmpty ? name : base
        return String((version.isEmpty ? previous + "-updated" : version).prefix(50))
    }

    /// The file name GetDiagnostics answers with.
    func diagnosticsFileName() -> String {
        let stamp = Int(Date().timeIntervalSince1970)
        return String("diagnostics-\(configuration.id)-\(stamp).log".prefix(255))
    }
}
