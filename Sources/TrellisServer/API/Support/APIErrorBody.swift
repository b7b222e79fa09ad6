import Vapor

/// What every API error answers: a sentence, and for bad input the problem of each field
/// (written by `TrellisErrorMiddleware`).
struct APIErrorBody: Content {
    var error: String
    var fields: [String: String]?
}
