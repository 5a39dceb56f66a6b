import OCPPCore
import SQLKit

/// The JSON array of rows that `SQLDialectTraits.selectJSONRows` unpacks in SQL: one bound
/// parameter for a whole batch. Each `row` writes its columns in order; nil is SQL NULL.
struct JSONRows {
    private var writer: JSONWriter

    init(capacity: Int) {
        writer = JSONWriter(capacity: capacity)
        writer.beginArray()
    }

    /// Bytes written so far.
    var byteCount: Int { writer.bytes.count }

    /// Appends one row; `columns` writes its values.
    mutating func row(_ columns: (inout JSONRows) -> Void) {
        writer.element()
        writer.beginArray()
        columns(&self)
        writer.endArray()
    }

    mutating func text(_ value: String?) {
        writer.element()
        if let value { writer.string(value) } else { writer.null() }
    }

    mutating func int(_ value: Int?) {
        writer.element()
        if let value { writer.int(value) } else { writer.null() }
    }

    /// JSON has no infinity or NaN: such a number is NULL.
    mutating func number(_ value: Double?) {
        writer.element()
        if let value, value.isFinite { writer.raw(String(value).utf8) } else { writer.null() }
    }

    /// The array, closed.
    var json: String {
        var closed = writer
        closed.endArray()
        return String(decoding: closed.bytes, as: UTF8.self)
    }
}

extension SQLDialectTraits {
    /// A `SELECT` of `rows`, column i as SQL type `types[i]` (see `selectJSONRows`).
    func select(_ rows: JSONRows, as types: [String]) -> SQLQueryString {
        selectJSONRows(types, rows.json)
    }
}
