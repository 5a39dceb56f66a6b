/// Writes JSON text by hand where building it value by value through an
/// encoder would cost more than the statement it feeds.
enum JSONText {
    /// Appends `value` as a JSON string (RFC 8259 §7): quotes, with `"`, `\` and control characters escaped.
    static func appendString(_ value: String, to out: inout String) {
        out.append("\"")
        var plainStart = value.unicodeScalars.startIndex
        var index = plainStart
        let scalars = value.unicodeScalars
        while index != scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\"" || scalar == "\\" || scalar.value < 0x20 {
                out.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                switch scalar {
                case "\"": out.append("\\\"")
                case "\\": out.append("\\\\")
                case "\n": out.append("\\n")
                case "\r": out.append("\\r")
                case "\t": out.append("\\t")
                default:
                    let hex = String(scalar.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                }
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        out.append("\"")
    }
}
