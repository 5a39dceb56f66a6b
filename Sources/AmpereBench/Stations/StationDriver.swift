import Foundation
import NIOCore
import OCPP16
import OCPPCore

/// One bench station as the single task that drives it sees it: its
/// connection, its message numbers, and a clock whose timestamps never
/// repeat (the server keys meter values by time, so two samples in one
/// millisecond would be one).
struct StationDriver {
    let index: Int
    let id: String
    let context: StationContext
    let alarm = Alarm()
    private(set) var connection: StationConnection?
    private var nextMessageId: UInt64 = 0
    private var lastMillis: Int64 = 0
    /// The latest timestamp's bytes, reused from message to message.
    private(set) var timestampBytes: [UInt8] = []

    init(index: Int, context: StationContext) {
        self.index = index
        self.id = context.options.id(at: index)
        self.context = context
        timestampBytes.reserveCapacity(24)
    }

    var eventLoop: any EventLoop { connection?.channel.eventLoop ?? context.group(for: index).any() }
    var isConnected: Bool { connection?.isOpen ?? false }

    /// Opens the WebSocket connection; false (counted) when it fails. A
    /// dropped connection rings the station's alarm.
    /// With `keepingDescriptor`, the connection keeps a second descriptor of its socket
    /// (`StationConnection.descriptor`).
    mutating func connect(keepingDescriptor: Bool = false) async -> Bool {
        let alarm = self.alarm
        do {
            connection = try await StationConnection.open(
                endpoint: context.endpoint, id: id, source: context.options.sourceAddresses.address(for: index),
                timeout: context.connectTimeout, serverCalls: context.serverCalls, onClose: { alarm.ring() },
                group: context.group(for: index), keepDescriptor: keepingDescriptor)
            context.connects.add(1, ordering: .relaxed)
            return true
        } catch {
            connection = nil
            context.connectFailures.add(1, ordering: .relaxed)
            return false
        }
    }

    /// Sends one CALL that `write` puts into the buffer, numbered with the
    /// id it is given, and records its outcome in `recorder`.
    mutating func call(
        _ recorder: CallRecorder?, capacity: Int = 256, _ write: (inout ByteBuffer, UInt64) -> Void
    ) async -> CallOutcome {
        guard let connection, connection.isOpen else {
            if connection?.wasDroppedHere != true { recorder?.record(.closed) }
            return .closed
        }
        nextMessageId &+= 1
        var buffer = connection.allocator.buffer(capacity: capacity)
        write(&buffer, nextMessageId)
        let outcome = await connection.call(buffer, id: nextMessageId, timeout: context.callTimeout)
        // A call cut short by the scenario's own drop (a reconnect storm) is resent or given up by
        // design: counting it among the errors would blame the server for the generator's reset.
        if case .closed = outcome, connection.wasDroppedHere { return outcome }
        recorder?.record(outcome)
        return outcome
    }

    /// What BootNotification came to.
    enum Boot {
        case accepted(interval: Int)
        /// The connection ended, or `deadline` passed, before an Accepted.
        case failed
    }

    /// BootNotification until Accepted; after Pending or Rejected it waits
    /// the interval the server named (OCPP 1.6 §4.2), after an error a second.
    mutating func boot(_ recorder: CallRecorder, until deadline: ContinuousClock.Instant) async -> Boot {
        let serial = "B-\(index + 1)"
        while ContinuousClock.now < deadline {
            let outcome = await call(recorder) { BenchFrames.bootNotification(&$0, id: $1, serial: serial) }
            var retry = Duration.seconds(1)
            switch outcome {
            case .closed:
                return .failed
            case .result:
                guard let bytes = outcome.frameBytes, case .callResult(let result)? = try? OCPPMessage.parse(bytes),
                    let response = try? result.payload.decode(as: BootNotificationResponse.self)
                else { break }
                switch response.status {
                case .accepted:
                    context.bootsAccepted.add(1, ordering: .relaxed)
                    return .accepted(interval: response.interval)
                case .pending:
                    context.bootsPending.add(1, ordering: .relaxed)
                case .rejected:
                    context.bootsRejected.add(1, ordering: .relaxed)
                }
                if response.interval > 0 { retry = .seconds(response.interval) }
            case .error, .timeout:
                break
            }
            await alarm.wait(until: min(deadline, .now + retry), on: eventLoop)
            if !isConnected { return .failed }
        }
        return .failed
    }

    /// Connects and boots, again and again until accepted or `deadline`.
    mutating func connectAndBoot(_ recorder: CallRecorder, until deadline: ContinuousClock.Instant) async -> Boot {
        while ContinuousClock.now < deadline {
            if await connect(), case .accepted(let interval) = await boot(recorder, until: deadline) {
                return .accepted(interval: interval)
            }
            await close()
            await alarm.wait(until: min(deadline, .now + .seconds(1)), on: context.group(for: index).any())
        }
        return .failed
    }

    /// A fresh timestamp, in `timestampBytes`; returns its milliseconds since 1970.
    @discardableResult
    mutating func stamp() -> Int64 {
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        lastMillis = max(now, lastMillis + 1)
        timestampBytes.removeAll(keepingCapacity: true)
        OCPPDateTime.format(Date(timeIntervalSince1970: Double(lastMillis) / 1000), into: &timestampBytes)
        return lastMillis
    }

    /// Closes the connection normally.
    mutating func close() async {
        await connection?.close()
        connection = nil
    }

    /// Forgets a connection that is gone (dropped, or closed by the server).
    mutating func forgetConnection() { connection = nil }
}

extension StationDriver {
    /// The transactionId of a StartTransaction answer.
    static func transactionId(of outcome: CallOutcome) -> Int? {
        guard let bytes = outcome.frameBytes, case .callResult(let result)? = try? OCPPMessage.parse(bytes) else {
            return nil
        }
        return try? result.payload.decode(as: StartTransactionResponse.self).transactionId
    }

    /// Whether station `index` is one of the `fraction` that charge: spread
    /// evenly over the ids, exactly `round(fraction × N)` of N stations.
    static func charges(_ index: Int, fraction: Double) -> Bool {
        (Double(index + 1) * fraction).rounded(.down) > (Double(index) * fraction).rounded(.down)
    }
}
