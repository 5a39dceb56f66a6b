import Foundation

/// Times are stored as INTEGER milliseconds since 1970 UTC: compact, and the
/// same in every SQL dialect.
enum Millis {
    /// Bounds far beyond any real timestamp, so that a wild Date cannot trap the conversion.
    private static let limit = 253_402_300_799_999.0  // 9999-12-31T23:59:59.999Z

    static func from(_ date: Date) -> Int {
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        guard ms.isFinite else { return 0 }
        return Int(min(max(ms, -limit), limit))
    }

    static func from(_ date: Date?) -> Int? { date.map { from($0) } }

    static func date(_ ms: Int) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}
