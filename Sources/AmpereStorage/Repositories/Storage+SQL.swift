import AmpereDomain

extension Storage {
    /// Every repository on one SQL store; the same for each dialect.
    static func sql(_ store: SQLStore) -> Storage {
        Storage(
            stations: SQLStationRepository(store: store),
            tags: SQLTagRepository(store: store),
            transactions: SQLTransactionRepository(store: store),
            messages: SQLMessageLogRepository(store: store),
            users: SQLUserRepository(store: store),
            settings: SQLSettingRepository(store: store),
            events: SQLStationEventRepository(store: store))
    }
}
