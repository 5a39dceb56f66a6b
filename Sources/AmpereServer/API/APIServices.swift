import AmpereDomain
import Foundation
import Logging

/// Everything the REST API's handlers use, passed in by the composition root.
struct APIServices: Sendable {
    let storage: Storage
    let stations: any StationDirectory
    let tokens: TokenService
    let passwords: PasswordHasher
    let authorizer: Authorizer
    let configuration: ServerConfiguration
    let now: @Sendable () -> Date
    let logger: Logger
}
