/// Told when a station's connection on this node starts and ends.
protocol ConnectionObserver: Sendable {
    func connected(_ station: LiveStation)
    func disconnected(_ station: LiveStation)
}
