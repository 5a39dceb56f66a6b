import OCPPCore

extension OCPPRouter {
    /// An empty router for OCPP 2.0.1: register handlers with `on(_:use:)`.
    public static func ocpp201() -> OCPPRouter { OCPPRouter(.ocpp201) }
}
