import Hummingbird
import OCPPCore

/// Registers the REST API (`/api/v1/...`) on `router`: every operation of
/// the route table, the bearer-token check on all but sign-in and the
/// OpenAPI document, and the contract's error bodies.
func addAPIRoutes(to router: Router<AmpereRequestContext>, services: APIServices) {
    // Outside the error middleware, so that each request is counted with the status it was answered with.
    let api = router.group(RouterPath(OpenAPIDocument.basePath)).add(middleware: APIMetricsMiddleware())
        .add(middleware: APIErrorMiddleware())
    let protected = api.group().add(middleware: BearerTokenMiddleware(tokens: services.tokens))
    for route in APIRouteTable.routes(services: services) {
        let handler = route.handler
        (route.requiresAuth ? protected : api).on(RouterPath(route.routerPath), method: route.method) {
            request, context in try await handler(request, context)
        }
    }
}

/// The REST API's route table: every operation, in the order the document lists them.
enum APIRouteTable {
    static func routes(services: APIServices) -> [APIRoute] {
        var routes =
            AuthRoutes(services: services).routes
            + StationRoutes(services: services).routes
            + StationLogRoutes(services: services).routes
            + StationCallRoutes(services: services).routes
            + TagRoutes(services: services).routes
            + TransactionRoutes(services: services).routes
        var openAPI = APIRoute(
            method: .get, path: "/openapi.json", operationId: "getOpenAPIDocument",
            summary: "This document (OpenAPI 3.0)", requiresAuth: false,
            success: APISuccess(.ok, "The OpenAPI document", .anyObject(description: "OpenAPI 3.0")),
            handler: { _, _ in APIResponse.json([:]) })
        routes.append(openAPI)
        // The document describes every route, itself included; built once.
        let document = OpenAPIDocument.make(routes: routes).jsonBytes()
        openAPI.handler = { _, _ in APIResponse.raw(document) }
        routes[routes.count - 1] = openAPI
        return routes
    }
}
