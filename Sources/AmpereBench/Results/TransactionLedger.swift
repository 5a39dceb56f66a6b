import Synchronization

/// What the stations of a run sent that the server must have stored: each
/// transaction by its idTag, unique to the run, and the timestamps of its
/// MeterValues. Stations keep their entries while they run and hand them
/// over once, so the ledger costs nothing on the hot path.
final class TransactionLedger: Sendable {
    /// One transaction as its station knows it.
    struct Entry: Sendable {
        var idTag: String
        /// StartTransaction was answered: the server has it. When false, it may or may not.
        var started = false
        /// StopTransaction was answered.
        var stopped = false
        /// Milliseconds since 1970 of each answered MeterValues.
        var meterValues: [Int64] = []
        /// MeterValues sent but never answered: stored once or not at all are both right.
        var unanswered: [Int64] = []

        init(idTag: String) { self.idTag = idTag }
    }

    /// Starts every idTag of the run, so a second run against the same
    /// database is told apart from this one.
    let runTag: String
    private let entries = Mutex<[String: [Entry]]>([:])

    init() {
        let letters = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        runTag = String((0..<4).map { _ in letters.randomElement()! })
    }

    /// The idTag of transaction `number` of station `index` (CiString20: at most 20 characters).
    func idTag(station index: Int, transaction number: Int) -> String {
        "\(runTag)-\(index + 1)-\(number)"
    }

    func add(_ stationEntries: [Entry], station: String) {
        guard !stationEntries.isEmpty else { return }
        entries.withLock { $0[station, default: []] += stationEntries }
    }

    /// Every station's entries.
    var all: [String: [Entry]] { entries.withLock { $0 } }
}
