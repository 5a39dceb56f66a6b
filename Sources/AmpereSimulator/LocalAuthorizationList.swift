import OCPP16

/// The Local Authorization List (OCPP 1.6 §3.5, §5.15): tags the central
/// system sent ahead, so that drivers are known when the network is not.
struct LocalAuthorizationList: Sendable {
    private(set) var version = 0
    private(set) var entries: [String: AuthorizationRecord] = [:]

    /// GetLocalListVersion (§5.9): 0 means the list is empty.
    var reportedVersion: Int { entries.isEmpty ? 0 : version }

    /// The tag's entry, if the list has it.
    func record(for idTag: String) -> AuthorizationRecord? { entries[AuthorizationRecord.key(idTag)] }

    /// SendLocalList (§5.15): a Full update replaces the list; a Differential
    /// one adds or updates the entries with idTagInfo and removes those
    /// without, and must carry a newer version than the list's.
    mutating func apply(_ request: SendLocalListRequest, maxEntries: Int, maxPerMessage: Int)
        -> SendLocalListResponse.Status
    {
        let changes = request.localAuthorizationList ?? []
        guard changes.count <= maxPerMessage else { return .failed }
        var updated: [String: AuthorizationRecord]
        switch request.updateType {
        case .full:
            updated = [:]
        case .differential:
            guard request.listVersion > version else { return .versionMismatch }
            updated = entries
        }
        for change in changes {
            let key = AuthorizationRecord.key(change.idTag)
            if let info = change.idTagInfo {
                updated[key] = AuthorizationRecord(status: info.status.rawValue, expiryDate: info.expiryDate)
            } else {
                updated[key] = nil
            }
        }
        guard updated.count <= maxEntries else { return .failed }
        entries = updated
        version = request.listVersion
        return .accepted
    }
}
