import OCPP16
import Testing

@testable import AmpereSimulator

@Suite struct LocalAuthorizationListTests {
    typealias Entry = SendLocalListRequest.LocalAuthorizationList

    static func entry(_ idTag: String, _ status: Entry.IdTagInfo.Status? = .accepted) -> Entry {
        Entry(idTag: idTag, idTagInfo: status.map { .init(status: $0) })
    }

    @Test func fullUpdateReplacesAndDifferentialEdits() {
        var list = LocalAuthorizationList()
        #expect(list.reportedVersion == 0)
        let full = SendLocalListRequest(
            listVersion: 5, localAuthorizationList: [Self.entry("A"), Self.entry("b", .blocked)], updateType: .full)
        #expect(list.apply(full, maxEntries: 10, maxPerMessage: 10) == .accepted)
        #expect(list.reportedVersion == 5)
        #expect(list.record(for: "a")?.status == "Accepted")
        #expect(list.record(for: "B")?.status == "Blocked")

        let edit = SendLocalListRequest(
            listVersion: 6, localAuthorizationList: [Self.entry("A", nil), Self.entry("C")], updateType: .differential)
        #expect(list.apply(edit, maxEntries: 10, maxPerMessage: 10) == .accepted)
        #expect(list.record(for: "A") == nil)
        #expect(list.record(for: "C") != nil)
        #expect(list.version == 6)
    }

    @Test func staleDifferentialAndOversizedListsAreRefused() {
        var list = LocalAuthorizationList()
        _ = list.apply(
            .init(listVersion: 3, localAuthorizationList: [Self.entry("A")], updateType: .full), maxEntries: 2,
            maxPerMessage: 5)
        let stale = SendLocalListRequest(
            listVersion: 3, localAuthorizationList: [Self.entry("B")], updateType: .differential)
        #expect(list.apply(stale, maxEntries: 2, maxPerMessage: 5) == .versionMismatch)
        let big = SendLocalListRequest(
            listVersion: 4, localAuthorizationList: [Self.entry("B"), Self.entry("C")], updateType: .differential)
        #expect(list.apply(big, maxEntries: 2, maxPerMessage: 5) == .failed)
        #expect(list.apply(big, maxEntries: 5, maxPerMessage: 1) == .failed)
        #expect(list.version == 3)
        let empty = SendLocalListRequest(listVersion: 9, updateType: .full)
        #expect(list.apply(empty, maxEntries: 2, maxPerMessage: 5) == .accepted)
        #expect(list.reportedVersion == 0)
    }
}
