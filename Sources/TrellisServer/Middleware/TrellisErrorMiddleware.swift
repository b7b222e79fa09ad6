import TrellisCore
import Vapor

/// Invalid input for the API: answered as 422 with `{"error": ..., "fields": {name: message}}`.
struct InvalidInput: Error {
    var message: String
    var errors: ValidationErrors
}

/// Turns every error into an answer a person can use: JSON under `/api/`, an HTML page elsewhere,
/// and a trip to the sign-in page when a signed-out browser asks for a page that needs an account.
struct TrellisErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return answer(error, for: request)
        }
    }

    func answer(_ error: any Error, for request: Request) -> Response {
        let isAPI = request.url.path.hasPrefix("/api/")
        var status = HTTPResponseStatus.internalServerError
        var message = "Something went wrong on our side. It has been logged; please try again."
        var fields: [String: String]?
        switch error {
        case let invalid as InvalidInput:
            status = .unprocessableEntity
            message = invalid.message
            fields = invalid.errors.fields
        case let errors as ValidationErrors:
            status = .unprocessableEntity
            message = "Some fields are not valid."
            fields = errors.fields
        case let decoding as DecodingError:
            // Before AbortError: Vapor makes DecodingError one, with a reason full of Swift types.
            status = .badRequest
            message = Self.describe(decoding)
        case let abort as any AbortError:
            status = abort.status
            message = abort.reason
            if status == .notFound && message == "Not Found" { message = "There is nothing at this address." }
        default:
            request.logger.report(error: error)
        }
        if status == .internalServerError { request.logger.report(error: error) }

        if isAPI {
            let response = Response(status: status)
            try? response.content.encode(APIErrorBody(error: message, fields: fields), as: .json)
            if status == .unauthorized {
                response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer realm=\"trellis\"")
            }
            return response
        }
        if status == .unauthorized, request.method == .GET {
            let next = request.url.path + (request.url.query.map { "?" + $0 } ?? "")
            return request.redirect(to: "/sign-in?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        let page = ErrorPage.render(request.page, title: Self.title(for: status), message: message)
        let response = Response(status: status, body: .init(string: page.markup))
        response.headers.contentType = .html
        return response
    }

    static func title(for status: HTTPResponseStatus) -> String {
        switch status {
        case .notFound: "Not found"
        case .forbidden: "Not allowed"
        case .unauthorized: "Please sign in"
        case .tooManyRequests: "Too many attempts"
        case .badRequest, .unprocessableEntity: "That did not work"
        default: "Something went wrong"
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let joined = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "the body" : "field “\(joined)”"
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "Missing field “\(key.stringValue)”" + (context.codingPath.isEmpty ? "." : " in \(parent).")
        case .typeMismatch(let type, let context):
            return "Wrong type for \(path(context)): expected \(Self.typeName(type))."
        case .valueNotFound(let type, let context):
            return "Missing value for \(path(context)): expected \(Self.typeName(type))."
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "The body could not be read: send valid JSON (or a form) with the documented fields."
                : "Could not read \(path(context)): the value is not in the expected format."
        @unknown default:
            return "The request body could not be read."
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is Double.Type, is Float.Type: "a number"
        case is [String].Type, is [Int].Type: "a list"
        case is UUID.Type: "an id (a UUID)"
        default: "a value of another kind"
        }
    }
}
