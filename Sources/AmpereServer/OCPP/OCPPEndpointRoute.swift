import HTTPTypes
import Hummingbird
import Logging

/// The OCPP endpoint as the HTTP router sees it: requests to `/ocpp/…` that were not upgraded.
///
/// A node upgrades only the first request of a connection (NIO's upgrade handler steps aside
/// after it). An upgrade that comes later on a kept-alive connection therefore lands here: a
/// proxy sent it over a connection it had pooled from earlier REST calls, as nginx does for an
/// upstream with `keepalive`. Such a request is refused with its reason, the proxy is told to
/// close the connection, and the operator is told how to fix the proxy (a pool-free upstream
/// for `/ocpp/`, as `deploy/nginx/ampere-cluster.conf` has). Without this route the charge
/// point got an empty 404 and tried again later, as if it were unknown.
func addOCPPEndpointRoute(to router: Router<AmpereRequestContext>, logger: Logger) {
    router.get("/ocpp/**") { request, _ -> Response in
        let upgrade = request.headers[.upgrade].map { $0.lowercased() }
        guard upgrade?.contains("websocket") == true else {
            // RFC 9110 §15.5.22: the endpoint speaks WebSocket only.
            var error = APIError(
                .upgradeRequired, code: "upgrade_required", "the OCPP endpoint takes WebSocket connections only")
            error.headers[.upgrade] = "websocket"
            throw error
        }
        logger.warning(
            "a WebSocket upgrade came on a connection that had served another request, and was refused: a proxy reused a pooled connection; give /ocpp/ an upstream without keepalive (docs/DEPLOYMENT.md)",
            metadata: ["path": "\(request.uri.path)"])
        var error = APIError(
            .badRequest, code: "upgrade_not_first_request",
            "a WebSocket upgrade must be the first request on its connection; connect again on a new one")
        error.headers[.connection] = "close"
        throw error
    }
}
