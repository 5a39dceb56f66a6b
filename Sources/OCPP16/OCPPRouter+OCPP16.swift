import OCPPCore

extension OCPPRouter {
    /// An empty router for OCPP 1.6J: register handlers with `on(_:use:)`.
    public static func ocpp16() -> OCPPRouter { OCPPRouter(.ocpp16) }
}
