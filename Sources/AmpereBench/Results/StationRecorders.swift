/// One latency recorder per kind of call the station scenarios make.
struct StationRecorders: Sendable {
    let boot = CallRecorder("BootNotification")
    let heartbeat = CallRecorder("Heartbeat")
    let start = CallRecorder("StartTransaction")
    let meterValues = CallRecorder("MeterValues")
    let stop = CallRecorder("StopTransaction")

    /// The calls of a transaction, in the order a session makes them.
    var transaction: [CallRecorder] { [start, meterValues, stop] }
}
