/// Handlers of DataTransfer messages for the vendors the central system knows.
///
/// Without a handler for its vendorId, a DataTransfer is stored and answered
/// `UnknownVendorId` (OCPP 1.6 §4.3).
public struct DataTransferVendors: Sendable {
    /// Answers one DataTransfer: the status and optional data.
    public typealias Handler = @Sendable (_ messageId: String?, _ data: String?) async throws -> (accepted: Bool, data: String?)

    private var handlers: [String: Handler] = [:]

    public init() {}

    public mutating func register(vendorId: String, _ handler: @escaping Handler) { handlers[vendorId] = handler }

    public func handler(for vendorId: String) -> Handler? { handlers[vendorId] }
}
