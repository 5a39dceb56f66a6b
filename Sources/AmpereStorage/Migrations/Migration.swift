/// One step of a schema's history, applied once, in a transaction of its own.
///
/// Migrations are the only place DDL lives. A released migration is never
/// edited: a change to the schema is a new migration at the end of the list.
struct Migration: Sendable {
    /// Its place in the order; recorded in `schema_migrations` once applied.
    var version: Int
    var name: String
    /// Single statements, run in order (drivers prepare one statement at a time).
    var statements: [String]
}
