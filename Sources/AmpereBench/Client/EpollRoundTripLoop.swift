#if os(Linux)
    import CEpoll
    import Glibc
    import NIOCore

    /// The `throughput` scenario's calls on a thread of its own that reads and writes its
    /// connections' sockets directly, registered edge-triggered with an epoll instance of its own.
    ///
    /// The generator shares the two cores with the server it measures, so every microsecond it
    /// spends per round trip is taken from the server. Through NIO's channel pipeline (frame
    /// decoder, encoder, a handler, a boxed frame each way) the generator had cost about 16 µs of
    /// CPU per Heartbeat round trip, half of it in user space (docs/PERFORMANCE.md). Here a round
    /// trip is one `read`, a frame header parsed in place, and one `write` of a frame built in a
    /// reused buffer. Edge-triggered registration reports sockets in the order their data came, so
    /// answers are taken first come, first served.
    ///
    /// The stations connect and boot through NIO as in every scenario (`StationConnection` keeps a
    /// second descriptor of each socket); their channels stop reading while this loop runs and take
    /// over again afterwards. When each call is due and what it measured is `CallSchedule`'s, as for
    /// `RoundTripLoopHandler`; the central system's calls and pings are answered at once.
    ///
    /// Confined to the thread that calls `run()`.
    final class EpollRoundTripLoop: @unchecked Sendable {
        private struct Connection {
            let fd: CInt
            var schedule: CallSchedule
            /// Bytes read that do not make a whole frame yet.
            var inbound: [UInt8] = []
            /// A fragmented text message so far.
            var fragments: [UInt8]?
            /// Bytes the socket did not take yet, written when it is writable again.
            var outbound: [UInt8] = []
            var keys = MaskingKeys()
            var finished = false
        }

        /// The largest frame taken, as `StationConnection`'s NIO decoder.
        static let maxFrameSize = 1 << 20

        private var connections: [Connection]
        private let serverCalls: ServerCallCounter
        private var active: Int
        private var epoll: CInt = -1
        private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
        /// The frame being sent, and its payload, reused from call to call.
        private var outFrame: [UInt8] = []
        private var payload: [UInt8] = []

        /// `sockets[i]` is loaded as `plans[i]` says; the central system's calls are counted in `serverCalls`.
        init(sockets: [CInt], plans: [CallSchedule.Plan], serverCalls: ServerCallCounter) {
            precondition(sockets.count == plans.count)
            connections = zip(sockets, plans).map { Connection(fd: $0, schedule: CallSchedule(plan: $1)) }
            active = connections.count
            self.serverCalls = serverCalls
            outFrame.reserveCapacity(2048)
            payload.reserveCapacity(2048)
        }

        /// Runs every connection's calls until each has finished; the results in the order of the sockets.
        func run() -> [ThroughputBenchmark.ConnectionResult] {
            epoll = epoll_create1(CInt(EPOLL_CLOEXEC))
            defer { if epoll >= 0 { close(epoll) } }
            for slot in connections.indices {
                guard epoll >= 0, register(slot, writable: false, operation: EPOLL_CTL_ADD) else {
                    connections[slot].schedule.failedToStart()
                    finish(slot)
                    continue
                }
            }
            guard let plan = connections.first?.schedule.plan else { return [] }
            Self.sleep(until: plan.start)
            for slot in connections.indices { sendWhenDue(slot, now: .now()) }
            let paced = plan.interval != nil
            let sweepEvery = TimeAmount.milliseconds(50)
            var lastSweep = NIODeadline.now()
            var events = [epoll_event](repeating: epoll_event(), count: max(64, connections.count))
            while active > 0 {
                let now = NIODeadline.now()
                if paced { sendDueCalls(now: now) }
                if now - lastSweep >= sweepEvery {
                    lastSweep = now
                    sweepTimeouts(now: now)
                }
                // Paced: a millisecond at most between looks at the schedule, as `PacedCallTicker`.
                let ready = epoll_wait(epoll, &events, CInt(events.count), paced ? 1 : 10)
                guard ready > 0 else { continue }
                for index in 0..<Int(ready) {
                    let event = events[index]
                    handle(Int(event.data.u64), events: event.events)
                }
            }
            return connections.map(\.schedule.result)
        }

        // MARK: - Calls

        /// Sends the connection's next call if it is due, or finishes it once no call is due in the window.
        private func sendWhenDue(_ slot: Int, now: NIODeadline) {
            guard !connections[slot].finished else { return }
            switch connections[slot].schedule.next(now: now) {
            case .send(let id):
                payload.removeAll(keepingCapacity: true)
                connections[slot].schedule.writeCall(id: id, into: &payload)
                send(slot, opcode: 0x1)
            case .wait:
                // Paced: `sendDueCalls` looks again within a millisecond.
                break
            case .finished:
                finish(slot)
            }
        }

        /// Paced: every connection whose call has come due.
        private func sendDueCalls(now: NIODeadline) {
            for slot in connections.indices where !connections[slot].finished {
                sendWhenDue(slot, now: now)
            }
        }

        /// An answer to the outstanding call: counted, and the next call sent when it is due.
        private func answered(_ slot: Int, isResult: Bool) {
            let now = NIODeadline.now()
            connections[slot].schedule.answered(isResult: isResult, now: now)
            sendWhenDue(slot, now: now)
        }

        /// Calls unanswered for their timeout end their connection.
        private func sweepTimeouts(now: NIODeadline) {
            for slot in connections.indices where !connections[slot].finished {
                if connections[slot].schedule.timedOut(now: now) { finish(slot) }
            }
        }

        private func finish(_ slot: Int) {
            guard !connections[slot].finished else { return }
            connections[slot].finished = true
            active -= 1
            if epoll >= 0 { _ = epoll_ctl(epoll, EPOLL_CTL_DEL, connections[slot].fd, nil) }
        }

        /// The socket ended or failed: a call left unanswered failed.
        private func ended(_ slot: Int) {
            connections[slot].schedule.ended()
            finish(slot)
        }

        // MARK: - Sockets

        private func register(_ slot: Int, writable: Bool, operation: CInt) -> Bool {
            var event = epoll_event()
            event.events = cepoll_in() | cepoll_rdhup() | cepoll_et() | (writable ? cepoll_out() : 0)
            event.data.u64 = UInt64(slot)
            return epoll_ctl(epoll, operation, connections[slot].fd, &event) == 0
        }

        private func handle(_ slot: Int, events: UInt32) {
            guard slot < connections.count, !connections[slot].finished else { return }
            if events & cepoll_out() != 0 { flush(slot) }
            if events & (cepoll_in() | cepoll_rdhup() | cepoll_hup() | cepoll_err()) != 0 {
                readAll(slot)
            }
        }

        /// Reads until the socket has nothing more (edge-triggered: it is not reported again until
        /// new bytes come) and handles every whole frame.
        private func readAll(_ slot: Int) {
            let fd = connections[slot].fd
            while !connections[slot].finished {
                let count = readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if connections[slot].inbound.isEmpty {
                        let used = readBuffer.withUnsafeBytes { frames(slot, UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                        if used < count, !connections[slot].finished {
                            connections[slot].inbound.append(contentsOf: readBuffer[used..<count])
                        }
                    } else {
                        connections[slot].inbound.append(contentsOf: readBuffer[0..<count])
                        var pending = connections[slot].inbound
                        connections[slot].inbound = []
                        let used = pending.withUnsafeBytes { frames(slot, $0) }
                        if used < pending.count, !connections[slot].finished {
                            pending.removeFirst(used)
                            connections[slot].inbound = pending
                        }
                    }
                    // A short read took all there was.
                    if count < readBuffer.count { return }
                } else if count == 0 {
                    return ended(slot)
                } else {
                    switch errno {
                    case EINTR: continue
                    case EAGAIN, EWOULDBLOCK: return
                    default: return ended(slot)
                    }
                }
            }
        }

        /// Handles the whole frames at the start of `bytes`; returns how many bytes they took.
        private func frames(_ slot: Int, _ bytes: UnsafeRawBufferPointer) -> Int {
            var offset = 0
            while !connections[slot].finished {
                guard let header = Self.frameHeader(bytes, at: offset) else { return offset }
                guard header.length <= Self.maxFrameSize else {
                    ended(slot)
                    return offset
                }
                let end = offset + header.size + header.length
                guard end <= bytes.count else { return offset }
                let body = UnsafeRawBufferPointer(rebasing: bytes[(offset + header.size)..<end])
                if let key = header.mask {
                    // RFC 6455 §5.1: a server never masks; one that does is still understood.
                    let unmasked = body.enumerated().map { $0.element ^ key[$0.offset % 4] }
                    unmasked.withUnsafeBytes { handleFrame(slot, opcode: header.opcode, fin: header.fin, body: $0) }
                } else {
                    handleFrame(slot, opcode: header.opcode, fin: header.fin, body: body)
                }
                offset = end
            }
            return offset
        }

        /// RFC 6455 §5.2: the header of the frame at `offset`, nil until all of it is there.
        private static func frameHeader(
            _ bytes: UnsafeRawBufferPointer, at offset: Int
        ) -> (fin: Bool, opcode: UInt8, size: Int, length: Int, mask: [UInt8]?)? {
            guard bytes.count - offset >= 2 else { return nil }
            let first = bytes[offset]
            let second = bytes[offset + 1]
            var size = 2
            var length = Int(second & 0x7F)
            if length == 126 {
                guard bytes.count - offset >= 4 else { return nil }
                length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
                size = 4
            } else if length == 127 {
                guard bytes.count - offset >= 10 else { return nil }
                var value: UInt64 = 0
                for index in 2..<10 { value = value << 8 | UInt64(bytes[offset + index]) }
                length = value > UInt64(Int.max) ? Int.max : Int(value)
                size = 10
            }
            var mask: [UInt8]?
            if second & 0x80 != 0 {
                guard bytes.count - offset >= size + 4 else { return nil }
                mask = Array(bytes[(offset + size)..<(offset + size + 4)])
                size += 4
            }
            return (first & 0x80 != 0, first & 0x0F, size, length, mask)
        }

        /// One frame, its payload unmasked.
        private func handleFrame(_ slot: Int, opcode: UInt8, fin: Bool, body: UnsafeRawBufferPointer) {
            switch opcode {
            case 0x1:
                if fin {
                    message(slot, body)
                } else {
                    connections[slot].fragments = Array(body)
                }
            case 0x0:
                guard var fragments = connections[slot].fragments else { return }
                connections[slot].fragments = nil
                fragments.append(contentsOf: body)
                if fin {
                    fragments.withUnsafeBytes { message(slot, $0) }
                } else {
                    connections[slot].fragments = fragments
                }
            case 0x8:
                // The closing handshake's answer; the connection is over.
                payload.removeAll(keepingCapacity: true)
                payload.append(contentsOf: [0x03, 0xE8])
                send(slot, opcode: 0x8)
                ended(slot)
            case 0x9:
                payload.removeAll(keepingCapacity: true)
                payload.append(contentsOf: body)
                send(slot, opcode: 0xA)
            default:
                break
            }
        }

        /// One whole text message: the answer to the outstanding call, or the central system's call.
        private func message(_ slot: Int, _ bytes: UnsafeRawBufferPointer) {
            guard let header = OCPPFrameHeader(bytes) else { return }
            switch header.messageType {
            case 3, 4:
                guard let outstanding = connections[slot].schedule.outstanding, header.id(equals: outstanding.id)
                else { return }
                answered(slot, isResult: header.messageType == 3)
            case 2:
                let action = header.action.map { String(decoding: bytes[$0], as: UTF8.self) } ?? ""
                let answer = serverCalls.answer(action: action, id: bytes[header.idRange])
                payload.removeAll(keepingCapacity: true)
                payload.append(contentsOf: answer)
                send(slot, opcode: 0x1)
            default:
                break
            }
        }

        /// Sends `payload` as one masked frame (RFC 6455 §5.3: a client masks every frame), after
        /// whatever the socket has not taken yet.
        private func send(_ slot: Int, opcode: UInt8) {
            outFrame.removeAll(keepingCapacity: true)
            outFrame.append(0x80 | opcode)
            let length = payload.count
            if length < 126 {
                outFrame.append(0x80 | UInt8(length))
            } else if length <= 0xFFFF {
                outFrame.append(0x80 | 126)
                outFrame.append(UInt8(length >> 8))
                outFrame.append(UInt8(length & 0xFF))
            } else {
                outFrame.append(0x80 | 127)
                for shift in stride(from: 56, through: 0, by: -8) { outFrame.append(UInt8((length >> shift) & 0xFF)) }
            }
            let key = connections[slot].keys.next()
            outFrame.append(UInt8(truncatingIfNeeded: key >> 24))
            outFrame.append(UInt8(truncatingIfNeeded: key >> 16))
            outFrame.append(UInt8(truncatingIfNeeded: key >> 8))
            outFrame.append(UInt8(truncatingIfNeeded: key))
            let start = outFrame.count
            outFrame.append(contentsOf: payload)
            outFrame.withUnsafeMutableBufferPointer { bytes in
                for index in 0..<length {
                    bytes[start + index] ^= UInt8(truncatingIfNeeded: key >> UInt32(24 - (index & 3) * 8))
                }
            }
            guard connections[slot].outbound.isEmpty else {
                connections[slot].outbound.append(contentsOf: outFrame)
                return
            }
            let fd = connections[slot].fd
            let written = outFrame.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written == outFrame.count { return }
            if written >= 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                connections[slot].outbound = Array(outFrame[max(0, written)...])
                if !register(slot, writable: true, operation: EPOLL_CTL_MOD) { ended(slot) }
            } else {
                ended(slot)
            }
        }

        /// Writes what the socket did not take before; stops asking for writability once all went.
        private func flush(_ slot: Int) {
            while !connections[slot].outbound.isEmpty {
                let written = connections[slot].outbound.withUnsafeBytes {
                    write(connections[slot].fd, $0.baseAddress, $0.count)
                }
                if written > 0 {
                    connections[slot].outbound.removeFirst(written)
                } else if written < 0, errno == EINTR {
                    continue
                } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    return
                } else {
                    return ended(slot)
                }
            }
            if !register(slot, writable: false, operation: EPOLL_CTL_MOD) { ended(slot) }
        }

        private static func sleep(until deadline: NIODeadline) {
            let left = deadline - .now()
            guard left.nanoseconds > 0 else { return }
            var request = timespec(tv_sec: Int(left.nanoseconds / 1_000_000_000), tv_nsec: Int(left.nanoseconds % 1_000_000_000))
            var remaining = timespec()
            while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
        }
    }
#endif
