/// Every repository of one database, passed to whatever needs storage.
public struct Storage: Sendable {
    public var stations: any StationRepository
    public var tags: any TagRepository
    public var transactions: any TransactionRepository
    public var messages: any MessageLogRepository
    public var users: any UserRepository
    public var settings: any SettingRepository
    public var events: any StationEventRepository

    public init(
        stations: any StationRepository, tags: any TagRepository, transactions: any TransactionRepository,
        messages: any MessageLogRepository, users: any UserRepository, settings: any SettingRepository,
        events: any StationEventRepository
    ) {
        self.stations = stations
        self.tags = tags
        self.transactions = transactions
        self.messages = messages
        self.users = users
        self.settings = settings
        self.events = events
    }
}
