import Vapor

/// A fragment of HTML. Anything interpolated into it that is not itself `HTML` is escaped, so
/// output is safe by default; raw markup can only come from another `HTML` value.
public struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var markup: String

    public init(stringLiteral value: String) { markup = value }
    public init(stringInterpolation: StringInterpolation) { markup = stringInterpolation.markup }
    /// Wraps already-safe markup. Only for markup built in this module from constants.
    init(trusted markup: String) { self.markup = markup }
    public static let empty = HTML(trusted: "")

    public var description: String { markup }

    public struct StringInterpolation: StringInterpolationProtocol {
        var markup = ""
        public init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity * 2) }
        public mutating func appendLiteral(_ literal: String) { markup += literal }
        public mutating func appendInterpolation(_ text: String) { markup += HTML.escape(text) }
        public mutating func appendInterpolation(_ text: Substring) { markup += HTML.escape(String(text)) }
        public mutating func appendInterpolation(_ html: HTML) { markup += html.markup }
        public mutating func appendInterpolation(_ html: HTML?) { markup += html?.markup ?? "" }
        public mutating func appendInterpolation(_ list: [HTML]) { for item in list { markup += item.markup } }
        public mutating func appendInterpolation(_ number: Int) { markup += String(number) }
        public mutating func appendInterpolation<T: RawRepresentable>(_ value: T) where T.RawValue == String {
            markup += HTML.escape(value.rawValue)
        }
    }

    public static func escape(_ text: String) -> String {
        // Most text has nothing to escape: return it as it is, without copying it scalar by scalar.
        if !text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Joins fragments.
    public static func join(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        HTML(trusted: parts.map(\.markup).joined(separator: separator.markup))
    }

    /// `attribute` when the condition holds, nothing otherwise.
    public static func when(_ condition: Bool, _ html: HTML) -> HTML { condition ? html : .empty }
}

/// An attribute a form helper adds to its element beside those it writes itself: a name from
/// this list (never from input) and a value escaped like any content, so that no attribute is
/// assembled as a raw string.
public struct Attribute: Sendable, Equatable {
    public enum Name: String, Sendable {
        case min, max, maxlength, inputmode, autocomplete, list
        case dataTagKind = "data-tag-kind"
    }

    public let name: Name
    public let value: String

    public init(_ name: Name, _ value: String) {
        self.name = name
        self.value = value
    }

    public init(_ name: Name, _ value: Int) { self.init(name, String(value)) }
}

extension HTML {
    /// ` name="value"` for each attribute, in order, values escaped.
    static func attributes(_ list: [Attribute]) -> HTML {
        HTML(trusted: list.map { " \($0.name.rawValue)=\"\(HTML.escape($0.value))\"" }.joined())
    }
}

extension HTML: AsyncResponseEncodable {
    public func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: .ok, headers: headers, body: .init(string: markup))
    }
}

/// An HTML page with a status other than 200 (a form re-rendered with errors answers 422).
public struct HTMLPage: AsyncResponseEncodable {
    var status: HTTPResponseStatus
    var html: HTML

    public func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: status, headers: headers, body: .init(string: html.markup))
    }
}

extension Request {
    /// A form shown again because what was sent is not valid: 422, with each problem beside its
    /// field (every form answers bad input this way).
    func invalidForm(_ page: HTML) async throws -> Response {
        try await HTMLPage(status: .unprocessableEntity, html: page).encodeResponse(for: self)
    }
}

/// A link to a path with query parameters, every value percent-encoded except the characters
/// RFC 3986 leaves unreserved (`URLComponents` leaves `+` as it is, which servers read as a
/// space: "C++" came back as "C  ").
enum QueryLink {
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func make(_ path: String, _ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return path }
        return path + "?" + items.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")=\(value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")"
        }.joined(separator: "&")
    }
}
