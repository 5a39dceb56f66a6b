import NIOCore

/// The first fields of an OCPP-J frame, `[type,"id"` and for a CALL
/// `,"Action"`, read without parsing the payload: all the handler needs to
/// match an answer or to answer a call.
struct OCPPFrameHeader<Bytes: RandomAccessCollection<UInt8>> where Bytes.Index == Int {
    var messageType: Int
    /// The message id's bytes, without quotes.
    var idRange: Range<Int>
    /// A CALL's action, without quotes.
    var action: Range<Int>?

    private let view: Bytes

    /// `view`: one whole text message (a `ByteBufferView`, or bytes the epoll loop read).
    init?(_ view: Bytes) {
        self.view = view
        var index = view.startIndex
        func skipSpace() {
            while index < view.endIndex,
                view[index] == 0x20 || view[index] == 0x0A || view[index] == 0x0D || view[index] == 0x09
            {
                index += 1
            }
        }
        func expect(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < view.endIndex, view[index] == byte else { return false }
            index += 1
            return true
        }
        /// A string without escapes (OCPP message ids and actions have none).
        func string() -> Range<Int>? {
            guard expect(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < view.endIndex, view[index] != UInt8(ascii: "\"") {
                if view[index] == UInt8(ascii: "\\") { return nil }
                index += 1
            }
            guard index < view.endIndex else { return nil }
            defer { index += 1 }
            return start..<index
        }
        guard expect(UInt8(ascii: "[")) else { return nil }
        skipSpace()
        guard index < view.endIndex, (0x30...0x39).contains(view[index]) else { return nil }
        messageType = Int(view[index] - 0x30)
        index += 1
        guard expect(UInt8(ascii: ",")), let id = string() else { return nil }
        idRange = id
        if messageType == 2 {
            guard expect(UInt8(ascii: ",")), let action = string() else { return nil }
            self.action = action
        }
    }

    /// Whether the id is the decimal form of `number`, as bench stations number their calls.
    func id(equals number: UInt64) -> Bool {
        guard !idRange.isEmpty, idRange.count <= 20 else { return false }
        var value: UInt64 = 0
        for index in idRange {
            let digit = view[index] &- 0x30
            guard digit < 10 else { return false }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return false }
            value = sum
        }
        return value == number
    }
}
