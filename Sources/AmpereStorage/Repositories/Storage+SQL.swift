import AmpereDomain

extension Storage {
    /// Every repository on one SQL store, the message log on `messageLog`
    /// (a writer of its own); the same for each dialect.
    static func sql(_ store: SQLStore, messageLog: SQLStore) -> Storage {
        Storage(
            stations: SQLStationRepository(store: store),
            tags: SQLTagRepository(store: store),
            transactions: SQLTransactionRepository(store: store),
            messages: SQLMessageLogRepository(store: messageLog),
            users: SQLUserRepository(store: store),
            settings: SQLSettingRepository(store: store),
            events: SQLStationEventRepository(store: store))
    }
}
