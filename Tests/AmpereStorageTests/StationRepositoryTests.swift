import AmpereDomain
import AmpereStorage
import Testing

@Suite struct StationRepositoryTests {
    @Test(arguments: StorageBackend.all)
    func createFindListDelete(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let stations = opened.storage.stations
            var station = Fixtures.station("CP2", at: 5)
            station.vendor = "Acme"
            station.bootDetails = ["iccid": "123"]
            station.passwordHash = "hash"
            #expect(try await stations.create(station))
            #expect(try await !stations.create(Fixtures.station("CP2")))
            #expect(try await stations.create(Fixtures.station("CP1")))
            #expect(try await stations.station("CP2") == station)
            #expect(try await stations.station("nope") == nil)

            let page = try await stations.stations(PageRequest(limit: 1, offset: 1))
            #expect(page.total == 2)
            #expect(page.items.map(\.id) == ["CP2"])

            #expect(try await stations.delete("CP2"))
            #expect(try await !stations.delete("CP2"))
            #expect(try await stations.station("CP2") == nil)
        }
    }

    @Test(arguments: StorageBackend.all)
    func ensureCreatesOnceAcceptedAndKeepsExisting(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let stations = opened.storage.stations
            let first = try await stations.ensure("CP1", at: Fixtures.date(1))
            #expect(first.registrationStatus == .accepted)
            #expect(first.createdAt == Fixtures.date(1))
            let again = try await stations.ensure("CP1", at: Fixtures.date(2))
            #expect(again == first)

            var pending = Fixtures.station("CP9")
            pending.registrationStatus = .pending
            #expect(try await stations.create(pending))
            #expect(try await stations.ensure("CP9", at: Fixtures.date(3)).registrationStatus == .pending)
            #expect(try await stations.stations(PageRequest()).total == 2)
        }
    }

    @Test(arguments: StorageBackend.all)
    func updateSettingsDistinguishesKeepingAndClearingThePassword(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let stations = opened.storage.stations
            #expect(try await !stations.updateSettings("CP1", registrationStatus: .rejected, passwordHash: nil))
            _ = try await stations.ensure("CP1", at: Fixtures.date(0))

            #expect(try await stations.updateSettings("CP1", registrationStatus: .pending, passwordHash: .some("h1")))
            var station = try #require(try await stations.station("CP1"))
            #expect(station.registrationStatus == .pending)
            #expect(station.passwordHash == "h1")

            #expect(try await stations.updateSettings("CP1", registrationStatus: .accepted, passwordHash: nil))
            station = try #require(try await stations.station("CP1"))
            #expect(station.registrationStatus == .accepted)
            #expect(station.passwordHash == "h1")

            #expect(try await stations.updateSettings("CP1", registrationStatus: .accepted, passwordHash: .some(nil)))
            #expect(try await stations.station("CP1")?.passwordHash == nil)
        }
    }

    @Test(arguments: StorageBackend.all)
    func recordBootAndSeen(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let stations = opened.storage.stations
            _ = try await stations.ensure("CP1", at: Fixtures.date(0))
            let report = BootReport(
                vendor: "Acme", model: "Volt", serialNumber: "SN1", firmwareVersion: "1.2",
                details: ["iccid": "89", "meterType": "M"], ocppVersion: "1.6")
            try await stations.recordBoot("CP1", report: report, at: Fixtures.date(10))
            var station = try #require(try await stations.station("CP1"))
            #expect(station.vendor == "Acme")
            #expect(station.model == "Volt")
            #expect(station.serialNumber == "SN1")
            #expect(station.firmwareVersion == "1.2")
            #expect(station.bootDetails == ["iccid": "89", "meterType": "M"])
            #expect(station.ocppVersion == "1.6")
            #expect(station.lastBootAt == Fixtures.date(10))
            #expect(station.lastSeen == Fixtures.date(10))

            try await stations.recordSeen("CP1", ocppVersion: nil, at: Fixtures.date(20))
            station = try #require(try await stations.station("CP1"))
            #expect(station.lastSeen == Fixtures.date(20))
            #expect(station.ocppVersion == "1.6")
            try await stations.recordSeen("CP1", ocppVersion: "2.0.1", at: Fixtures.date(30))
            #expect(try await stations.station("CP1")?.ocppVersion == "2.0.1")

            // Neither creates a station that does not exist.
            try await stations.recordBoot("ghost", report: report, at: Fixtures.date(40))
            try await stations.recordSeen("ghost", ocppVersion: "1.6", at: Fixtures.date(40))
            #expect(try await stations.station("ghost") == nil)
        }
    }

    @Test(arguments: StorageBackend.all)
    func connectorsKeepTheCurrentStateAndTheHistory(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let stations = opened.storage.stations
            _ = try await stations.ensure("CP1", at: Fixtures.date(0))
            _ = try await stations.ensure("CP2", at: Fixtures.date(0))
            func status(_ connector: Int, _ status: String, at seconds: Int, station: String = "CP1")
                -> ConnectorStatus
            {
                ConnectorStatus(
                    stationId: station, connectorId: connector, status: status, errorCode: "NoError",
                    info: "i\(seconds)", vendorId: "V", vendorErrorCode: nil, reportedAt: Fixtures.date(seconds),
                    updatedAt: Fixtures.date(seconds + 1))
            }
            try await stations.updateConnector(status(2, "Available", at: 1))
            try await stations.updateConnector(status(1, "Available", at: 2))
            try await stations.updateConnector(status(1, "Charging", at: 3))
            try await stations.updateConnector(status(1, "Finishing", at: 4, station: "CP2"))
            var evse = status(0, "Available", at: 5)
            evse.evseId = 1
            evse.errorCode = nil
            evse.reportedAt = nil
            try await stations.updateConnector(evse)

            let current = try await stations.connectors(of: "CP1")
            #expect(current == [evse, status(1, "Charging", at: 3), status(2, "Available", at: 1)])

            let history = try await stations.connectorHistory(of: "CP1", PageRequest(limit: 2, offset: 1))
            #expect(history.total == 4)
            #expect(history.items == [status(1, "Charging", at: 3), status(1, "Available", at: 2)])
            #expect(try await stations.connectorHistory(of: "CP2", PageRequest()).total == 1)

            // Deleting a station removes its connectors and their history.
            #expect(try await stations.delete("CP1"))
            #expect(try await stations.connectors(of: "CP1").isEmpty)
            #expect(try await stations.connectorHistory(of: "CP1", PageRequest()).total == 0)
        }
    }

    @Test(arguments: StorageBackend.all)
    func aConnectorOfAnUnknownStationIsRefused(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let status = ConnectorStatus(
                stationId: "ghost", connectorId: 1, status: "Available", errorCode: nil, reportedAt: nil,
                updatedAt: Fixtures.date(0))
            let error = await #expect(throws: StorageError.self) {
                try await opened.storage.stations.updateConnector(status)
            }
            #expect(error?.code == .constraintViolation)
        }
    }

    @Test(arguments: StorageBackend.all)
    func manyLastSeenTimesInOneWrite(backend: StorageBackend) async throws {
        try await backend.withStorage { opened throws in
            let stations = opened.storage.stations
            // More than the 500 a statement once took.
            let ids = (0..<1200).map { "CP\($0)" }
            for id in ids.prefix(3) + ["KEEP"] { _ = try await stations.ensure(id, at: Fixtures.date(0)) }
            var times = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, Fixtures.date(100 + $0)) })
            times["GHOST"] = Fixtures.date(5)
            try await stations.recordSeen(times)
            #expect(try await stations.station("CP0")?.lastSeen == Fixtures.date(100))
            #expect(try await stations.station("CP2")?.lastSeen == Fixtures.date(102))
            #expect(try await stations.station("KEEP")?.lastSeen == Fixtures.date(0))
            #expect(try await stations.station("GHOST") == nil)
            #expect(try await stations.stations(PageRequest()).total == 4)
        }
    }
}
