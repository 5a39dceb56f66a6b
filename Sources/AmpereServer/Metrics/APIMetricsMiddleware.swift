import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// Counts and times every REST request by route, method and the status it was
/// answered with, errors included (on /metrics: `ampere_http_requests_total`
/// and the `ampere_http_request_duration_seconds` histogram).
///
/// Hummingbird's own `MetricsMiddleware` times only the requests that return a
/// response; the API answers every refusal by throwing an `APIError`, so a
/// 401, a 409 or a 504 from a station that never answered would go untimed.
struct APIMetricsMiddleware: RouterMiddleware {
    typealias Context = AmpereRequestContext

    static let requestsLabel = "ampere_http_requests_total"
    static let durationLabel = "ampere_http_request_duration_seconds"

    private let series = Series()

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            series.record(context: context, method: request.method, status: response.status, since: started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            series.record(context: context, method: request.method, status: status, since: started)
            throw error
        }
    }

    /// A counter and a timer per route, method and status.
    struct Series: Sendable {
        struct Key: Hashable, Sendable {
            var route: String
            var method: HTTPRequest.Method
            var status: Int

            var dimensions: [(String, String)] {
                [("route", route), ("method", method.rawValue), ("status", "\(status)")]
            }
        }

        private let counters = MetricSeries<Key, Counter> {
            Counter(label: APIMetricsMiddleware.requestsLabel, dimensions: $0.dimensions)
        }
        private let timers = MetricSeries<Key, Timer> {
            Timer(label: APIMetricsMiddleware.durationLabel, dimensions: $0.dimensions)
        }

        func record(
            context: Context, method: HTTPRequest.Method, status: HTTPResponse.Status,
            since started: ContinuousClock.Instant
        ) {
            let elapsed = ContinuousClock.now - started
            // The route as registered ("/api/v1/charging-stations/{id}"), never the path itself: a
            // label per station id would grow without bound.
            let key = Key(route: context.endpointPath ?? "unmatched", method: method, status: status.code)
            counters[key].increment()
            timers[key].record(duration: elapsed)
        }
    }
}
