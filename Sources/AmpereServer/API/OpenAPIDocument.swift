import HTTPTypes
import OCPPCore

/// The OpenAPI 3.0 document of the REST API, made from its route table.
enum OpenAPIDocument {
    /// Where the API lives; the document's paths are below it.
    static let basePath = "/api/v1"

    static func make(routes: [APIRoute]) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for route in routes {
            paths[route.path, default: [:]][route.method.rawValue.lowercased()] = operation(route)
        }
        return [
            "openapi": "3.0.3",
            "info": [
                "title": "Ampere REST API",
                "version": "1",
                "description":
                    "The central system's REST API. Every error answers {\"error\": {\"code\", \"message\"}}.",
            ],
            "servers": [["url": .string(basePath)]],
            "paths": .object(paths.mapValues(JSONValue.object)),
            "components": [
                "schemas": .object(APISchemas.all.mapValues(\.openAPI)),
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
            ],
        ]
    }

    static func operation(_ route: APIRoute) -> JSONValue {
        var operation: [String: JSONValue] = [
            "operationId": .string(route.operationId),
            "summary": .string(route.summary),
            "security": route.requiresAuth ? [["bearerAuth": []]] : [],
        ]
        let pathParameters: [JSONValue] = route.pathParameters.map { name in
            ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string"]]
        }
        let queryParameters: [JSONValue] = route.query.map { parameter in
            [
                "name": .string(parameter.name), "in": "query", "required": false,
                "description": .string(parameter.description), "schema": parameter.schema.openAPI,
            ]
        }
        if !(pathParameters + queryParameters).isEmpty {
            operation["parameters"] = .array(pathParameters + queryParameters)
        }
        if let body = route.requestBody {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body.openAPI]]]
        }
        var responses: [String: JSONValue] = [:]
        var success: [String: JSONValue] = ["description": .string(route.success.description)]
        if let schema = route.success.schema {
            success["content"] = ["application/json": ["schema": schema.openAPI]]
        }
        responses[String(route.success.status.code)] = .object(success)
        for status in route.errors + (route.requiresAuth ? [.unauthorized] : []) {
            responses[String(status.code)] = [
                "description": .string(status.reasonPhrase),
                "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
            ]
        }
        operation["responses"] = .object(responses)
        return .object(operation)
    }
}
