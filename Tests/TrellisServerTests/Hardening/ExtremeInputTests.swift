import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// No input may crash the server or make it fail: every route of the app, found by walking
    /// `app.routes.all` (so a new route is covered without being listed), gets extreme values in
    /// its path parameters, its query and its form or JSON body, as a program manager (who can
    /// reach everything) and through the API with a token. Every answer must be below 500, and the
    /// server must still answer afterwards.
    @Suite struct ExtremeInput {
        static let numbers = [
            "0", "-1", "-0", "2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
            "99999999999999999999999999999999", "1e308", "-1e308", "NaN", "Infinity", "0x10", "1.5", " 7 ", "",
        ]
        static let texts = ["\u{0}", "%", "\u{202E}evil", String(repeating: "é", count: 3000), "'; DROP TABLE users; --", "../../etc/passwd"]
        static let numericFields = ["page", "per", "years_experience", "capacity_mentees", "capacity_hours", "saved"]
        static let textFields = ["q", "department", "role", "timezone", "tag", "kind", "prefix", "name", "email", "csv", "token_name", "next"]

        static func path(of route: Route, filling value: String) -> String {
            "/" + route.path.map { component -> String in
                switch component {
                case .constant(let text): text
                case .parameter: value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? "x"
                case .anything: "x"
                case .catchall: "x/y"
                }
            }.joined(separator: "/")
        }

        static func query(_ value: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let encoded = value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
            return (numericFields + textFields).map { "\($0)=\(encoded)" }.joined(separator: "&")
        }

        @Test func `extreme numbers and text on every route never give a server error`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let token = try await API.token(for: TestPeople.alice, app: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                var failures: [String] = []
                let values = Self.numbers + Self.texts + [people.bob.id!.uuidString, "00000000-0000-0000-0000-000000000000"]
                var checked = 0
                for route in app.routes.all {
                    for value in values {
                        let path = Self.path(of: route, filling: value) + "?" + Self.query(value)
                        let response: TestingHTTPResponse
                        if path.hasPrefix("/api/") {
                            var headers = API.bearer(token)
                            var body: ByteBuffer?
                            if route.method == .PUT || route.method == .POST {
                                headers.contentType = .json
                                let number = Double(value).map { $0.isFinite ? "\(value.trimmingCharacters(in: .whitespaces))" : "null" } ?? "null"
                                let json = Int(value.trimmingCharacters(in: .whitespaces)) != nil || (Double(value)?.isFinite == true)
                                    ? #"{"years_experience": \#(number), "capacity_mentees": \#(number), "capacity_hours": \#(number), "name": "X"}"#
                                    : #"{"name": \#(String(data: try JSONEncoder().encode(value), encoding: .utf8)!), "bio": \#(String(data: try JSONEncoder().encode(value), encoding: .utf8)!)}"#
                                body = ByteBuffer(string: json)
                            }
                            var captured: TestingHTTPResponse?
                            try await app.testing().test(route.method, path, headers: headers, body: body) { captured = $0 }
                            response = captured!
                        } else if route.method == .GET || route.method == .HEAD {
                            response = try await admin.get(path)
                        } else {
                            let fields = (Self.numericFields + Self.textFields).map { ($0, value) }
                            response = try await admin.post(path, fields)
                            // Wrong passwords count towards the sign-in limit; start each case afresh.
                            try await SignInAttempt.query(on: app.db).delete()
                            if path.hasPrefix("/sign-out") { try await admin.signIn(TestPeople.admin) }
                        }
                        checked += 1
                        if response.status.code >= 500 {
                            failures.append("\(route.method) \(path.prefix(120)) → \(response.status.code): \(response.text.prefix(200))")
                        }
                    }
                }
                #expect(failures.isEmpty, "\(failures.count) server errors:\n\(failures.prefix(20).joined(separator: "\n"))")
                #expect(checked > 200)
                var anyone = Browser(app)
                #expect(try await anyone.get("/healthz").status == .ok)
                #expect(try await anyone.get("/sign-in").status == .ok)
            }
        }

        @Test func `an id followed by anything, a NUL included, names nobody`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let id = try people.bob.requireID().uuidString
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                #expect(try await alice.get("/people/\(id)").status == .ok)
                let token = try await API.token(for: TestPeople.alice, app: app)
                for suffix in ["%00garbage", "%00", "x", "%20", "-0"] {
                    #expect(try await alice.get("/people/\(id)\(suffix)").status == .notFound, "\(suffix)")
                    try await app.testing().test(.GET, "/api/v1/people/\(id)\(suffix)", headers: API.bearer(token)) { response in
                        #expect(response.status == .notFound, "\(suffix)")
                    }
                }
            }
        }

        @Test func `a huge page number on the directory shows the last page, on the web and in the API`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                for page in ["9223372036854775807", "99999999999999999999", "-5", "abc", "4611686018427387904"] {
                    let response = try await alice.get("/people?page=\(page)&per=9223372036854775807")
                    #expect(response.status == .ok, "page \(page)")
                    #expect(response.text.contains("Alice Ahmed"), "page \(page) shows the last page")
                }
                let token = try await API.token(for: TestPeople.alice, app: app)
                try await app.testing().test(.GET, "/api/v1/people?page=9223372036854775807", headers: API.bearer(token)) { response throws in
                    #expect(response.status == .unprocessableEntity)
                    let body = try response.content.decode(APIErrorBody.self)
                    #expect(body.fields?["page"]?.contains("from 1 to 100000") == true)
                }
                try await app.testing().test(.GET, "/api/v1/people?page=100000&per=100", headers: API.bearer(token)) { response throws in
                    #expect(response.status == .ok)
                    let page = try response.content.decode(DirectoryPageDTO.self)
                    #expect(page.page == 1 && page.items.count == 3, "past the last page answers the last page")
                }
            }
        }
    }
}
