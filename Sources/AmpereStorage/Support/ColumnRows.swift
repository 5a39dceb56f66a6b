import SQLKit

/// A batch of rows held column by column, for `SQLDialectTraits.selectColumns`: the form in
/// which PostgreSQL takes them cheapest (one binary array per column), while SQLite still gets
/// them as one JSON array of rows.
struct ColumnRows: Sendable {
    /// One column's values, every row's in order; each has `count` of them.
    enum Column: Sendable {
        case bigint([Int])
        case text([String])
        /// Texts that may be NULL.
        case optionalText([String?])

        var count: Int {
            switch self {
            case .bigint(let values): values.count
            case .text(let values): values.count
            case .optionalText(let values): values.count
            }
        }

        /// The column's SQL type.
        var sqlType: String {
            switch self {
            case .bigint: "bigint"
            case .text, .optionalText: "text"
            }
        }
    }

    let columns: [Column]
    let count: Int

    /// `columns` must all hold the same number of values.
    init(_ columns: [Column]) {
        precondition(!columns.isEmpty && columns.allSatisfy { $0.count == columns[0].count }, "columns of unequal length")
        self.columns = columns
        self.count = columns[0].count
    }

    /// The same rows as one JSON array of arrays (`SQLDialectTraits.selectJSONRows`).
    func jsonRows() -> JSONRows {
        // Enough for every value unescaped, so that the buffer seldom grows.
        var capacity = count * (columns.count * 2 + 4)
        for column in columns {
            switch column {
            case .bigint: capacity += count * 20
            case .text(let values): for value in values { capacity += value.utf8.count + 2 }
            case .optionalText(let values): for value in values { capacity += (value?.utf8.count ?? 2) + 2 }
            }
        }
        var rows = JSONRows(capacity: capacity)
        for index in 0..<count {
            rows.row { row in
                for column in columns {
                    switch column {
                    case .bigint(let values): row.int(values[index])
                    case .text(let values): row.text(values[index])
                    case .optionalText(let values): row.text(values[index])
                    }
                }
            }
        }
        return rows
    }
}

extension SQLDialectTraits {
    /// A `SELECT` of `rows` (see `selectColumns`).
    func select(_ rows: ColumnRows) -> SQLQueryString {
        selectColumns(rows)
    }
}
