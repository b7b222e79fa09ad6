import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    @Suite struct API {
        /// Creates a token for a person through the settings page, as a person would.
        static func token(for email: String, app: Application, password: String = TestPeople.password) async throws -> String {
            var browser = Browser(app)
            try await browser.signIn(email, password)
            let page = try await browser.post("/settings/tokens", [("token_name", "tests")])
            return String(try #require(page.text.firstMatch(of: /trl_[A-Za-z0-9_-]+/)).output)
        }

        static func bearer(_ token: String) -> HTTPHeaders {
            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: token)
            return headers
        }

        @Test func `a personal token reads the current person; a revoked one stops working`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let token = try await Self.token(for: TestPeople.alice, app: app)
                try await app.testing().test(.GET, "/api/v1/me", headers: Self.bearer(token)) { response throws in
                    #expect(response.status == .ok)
                    let me = try response.content.decode(MeDTO.self)
                    #expect(me.email == TestPeople.alice)
                    #expect(me.role == "participant")
                    // The API shows no forms: no form token, and no cookie at all.
                    #expect(response.headers[.setCookie].isEmpty)
                }
                try await app.testing().test(.GET, "/api/v1/people?q=alice", headers: Self.bearer(token)) { response throws in
                    #expect(response.status == .ok && response.headers[.setCookie].isEmpty)
                    #expect(response.headers.contentType == .json)
                    #expect(try response.content.decode(DirectoryPageDTO.self).items.count == 1)
                }
                #expect(try await APIToken.query(on: app.db).first()?.lastUsedAt != nil)
                let stored = try #require(try await APIToken.query(on: app.db).first())
                stored.revokedAt = Date()
                try await stored.save(on: app.db)
                try await app.testing().test(.GET, "/api/v1/me", headers: Self.bearer(token)) { response throws in
                    #expect(response.status == .unauthorized)
                    #expect(try response.content.decode(APIErrorBody.self).error.contains("revoked"))
                }
                try await app.testing().test(.GET, "/api/v1/me", headers: Self.bearer("trl_made_up")) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }

        @Test func `replacing your profile through the API validates every field and changes nothing on error`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let token = try await Self.token(for: TestPeople.alice, app: app)
                let bad: [String: Any] = [
                    "headline": "Engineer", "timezone": "Nowhere/Land", "years_experience": 99, "mentoring_role": "guru",
                    "communication_methods": ["smoke signals"], "manager_id": people.alice.id!.uuidString,
                ]
                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: Self.jsonHeaders(token), body: Self.json(bad)) { response throws in
                    #expect(response.status == .unprocessableEntity)
                    let body = try response.content.decode(APIErrorBody.self)
                    #expect(body.error.contains("not saved"))
                    let fields = try #require(body.fields)
                    #expect(fields["timezone"]?.contains("IANA") == true)
                    #expect(fields["years_experience"]?.contains("0 to 60") == true)
                    #expect(fields["mentoring_role"]?.contains("mentor, mentee or both") == true)
                    #expect(fields["communication_methods"]?.contains("smoke signals") == true)
                    #expect(fields["manager_id"]?.contains("Only a program manager") == true)
                }
                #expect(try await Profile.find(people.alice.id, on: app.db)?.headline == "")

                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: Self.jsonHeaders(token), body: ByteBuffer(string: "{\"years_experience\": \"ten\"}")) { response throws in
                    #expect(response.status == .badRequest)
                    #expect(try response.content.decode(APIErrorBody.self).error.contains("years_experience"))
                }

                let good: [String: Any] = [
                    "headline": "Engineer", "timezone": "Europe/Berlin", "years_experience": 4, "mentoring_role": "mentee",
                    "communication_methods": ["video"], "development_areas": ["System design", " system design "],
                    "contact_private": true, "phone": "+49 1",
                ]
                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: Self.jsonHeaders(token), body: Self.json(good)) { response throws in
                    #expect(response.status == .ok)
                    let person = try response.content.decode(PersonDTO.self)
                    #expect(person.headline == "Engineer")
                    #expect(person.development_areas == ["System design"])
                    #expect(person.name == "Alice Ahmed", "name kept when left out")
                    #expect(person.phone == "+49 1")
                }
            }
        }

        @Test func `only a program manager's token sets a reporting line`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let adminToken = try await Self.token(for: TestPeople.admin, app: app)
                let aliceToken = try await Self.token(for: TestPeople.alice, app: app)
                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: Self.jsonHeaders(adminToken), body: Self.json(["manager_id": people.bob.id!.uuidString])) { response throws in
                    #expect(response.status == .ok)
                    #expect(try response.content.decode(PersonDTO.self).manager?.name == "Bob Brown")
                }
                // Alice cannot make herself Bob's report, nor probe ids; leaving the field out keeps her line.
                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: Self.jsonHeaders(aliceToken), body: Self.json(["manager_id": people.bob.id!.uuidString])) { response throws in
                    #expect(response.status == .unprocessableEntity)
                }
                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: Self.jsonHeaders(aliceToken), body: Self.json(["manager_id": UUID().uuidString])) { response throws in
                    #expect(response.status == .unprocessableEntity)
                    #expect(try response.content.decode(APIErrorBody.self).fields?["manager_id"]?.contains("Only a program manager") == true, "the same answer whether or not the id exists")
                }
                #expect(try await Profile.find(people.alice.id, on: app.db)?.managerID == nil)
                #expect(try await Profile.query(on: app.db).filter(\.$managerID == people.bob.id!).count() == 1)
            }
        }

        @Test func `the directory API searches, filters, pages, and hides private contact details`() async throws {
            try await withTrellis { app in
                try await DirectoryPages.seed(app)
                let token = try await Self.token(for: TestPeople.bob, app: app)
                try await app.testing().test(.GET, "/api/v1/people?q=kubernetes&role=mentor", headers: Self.bearer(token)) { response throws in
                    #expect(response.status == .ok)
                    let page = try response.content.decode(DirectoryPageDTO.self)
                    #expect(page.items.map(\.name) == ["Mira Patel"])
                    #expect(page.items[0].expertise == ["Distributed systems", "Kubernetes"])
                }
                try await app.testing().test(.GET, "/api/v1/people?department=Finance&per=10&page=3", headers: Self.bearer(token)) { response throws in
                    let page = try response.content.decode(DirectoryPageDTO.self)
                    #expect(page.total == 30 && page.items.count == 10 && page.page == 3)
                    #expect(page.items.first?.name == "Zed Filler 21")
                }
                try await app.testing().test(.GET, "/api/v1/people?per=0&role=boss", headers: Self.bearer(token)) { response throws in
                    #expect(response.status == .unprocessableEntity)
                    let fields = try #require(try response.content.decode(APIErrorBody.self).fields)
                    #expect(fields["per"] != nil && fields["role"] != nil)
                }
                let mira = try #require(try await User.query(on: app.db).filter(\.$email == "mira@example.org").first())
                let profile = try #require(try await Profile.find(mira.id, on: app.db))
                profile.contactPrivate = true
                profile.phone = "+91 80 555"
                try await profile.save(on: app.db)
                try await app.testing().test(.GET, "/api/v1/people/\(mira.id!)", headers: Self.bearer(token)) { response throws in
                    let person = try response.content.decode(PersonDTO.self)
                    #expect(person.email == nil && person.phone == nil)
                    #expect(person.reports.map(\.name) == ["Tom Okafor"])
                    // As the document says: present and null, not left out; every field is there.
                    let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                    #expect(object["email"] is NSNull && object["phone"] is NSNull)
                    let document = OpenAPIDocument.document(baseURL: "http://localhost")
                    let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
                    let required = try #require((schemas["PersonDetail"] as? [String: Any])?["required"] as? [String])
                    #expect(Set(object.keys) == Set(required) && required.contains("email"))
                }
                let adminToken = try await Self.token(for: TestPeople.admin, app: app)
                try await app.testing().test(.GET, "/api/v1/people/\(mira.id!)", headers: Self.bearer(adminToken)) { response throws in
                    let person = try response.content.decode(PersonDTO.self)
                    #expect(person.email == "mira@example.org" && person.phone == "+91 80 555")
                }
                try await app.testing().test(.GET, "/api/v1/people/\(UUID())", headers: Self.bearer(token)) { response throws in
                    #expect(response.status == .notFound)
                    #expect(try response.content.decode(APIErrorBody.self).error.contains("no person"))
                }
            }
        }

        @Test func `tag suggestions come from tags in use, most used first`() async throws {
            try await withTrellis { app in
                try await DirectoryPages.seed(app)
                let token = try await Self.token(for: TestPeople.bob, app: app)
                try await app.testing().test(.GET, "/api/v1/tags?kind=development_areas", headers: Self.bearer(token)) { response throws in
                    let list = try response.content.decode(TagListDTO.self)
                    #expect(list.tags.first?.name == "Public speaking")
                    #expect(list.tags.first?.count == 2)
                }
                try await app.testing().test(.GET, "/api/v1/tags?kind=expertise&prefix=kub", headers: Self.bearer(token)) { response throws in
                    #expect(try response.content.decode(TagListDTO.self).tags.map(\.name) == ["Kubernetes"])
                }
                try await app.testing().test(.GET, "/api/v1/tags?kind=hobbies", headers: Self.bearer(token)) { response throws in
                    #expect(response.status == .unprocessableEntity)
                    #expect(try response.content.decode(APIErrorBody.self).fields?["kind"] != nil)
                }
            }
        }

        @Test func `the OpenAPI document is 3.1, and documents exactly the API routes`() async throws {
            try await withTrellis { app in
                try await app.testing().test(.GET, "/api/v1/openapi.json") { response throws in
                    #expect(response.status == .ok)
                    let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                    #expect(document["openapi"] as? String == "3.1.0")
                    let paths = try #require(document["paths"] as? [String: Any])
                    var routed = Set<String>()
                    for route in app.routes.all where route.path.first?.description == "api" {
                        let path = "/" + route.path.map { component in
                            if case .parameter(let name) = component { return "{\(name)}" }
                            return component.description
                        }.joined(separator: "/")
                        if path.hasSuffix("openapi.json") || path.hasSuffix("**") { continue }
                        routed.insert(path)
                        let operations = try #require(paths[path] as? [String: Any], "\(path) is not documented")
                        #expect(operations[route.method.rawValue.lowercased()] != nil, "\(route.method) \(path) is not documented")
                    }
                    #expect(routed == Set(paths.keys), "documented paths without a route")
                    // Every method the document does not list for a path answers 405.
                    for (path, operations) in paths {
                        let listed = Set(((operations as? [String: Any]) ?? [:]).keys)
                        for method in [HTTPMethod.GET, .POST, .PUT, .DELETE, .PATCH, .TRACE, .OPTIONS, HTTPMethod(rawValue: "QUERY")] where !listed.contains(method.rawValue.lowercased()) {
                            let concrete = path.replacingOccurrences(of: "{id}", with: UUID().uuidString).replacingOccurrences(of: "{number}", with: "1").replacingOccurrences(of: "{meeting}", with: UUID().uuidString).replacingOccurrences(of: "{item}", with: UUID().uuidString).replacingOccurrences(of: "{goal}", with: UUID().uuidString).replacingOccurrences(of: "{milestone}", with: UUID().uuidString)
                            try await app.testing().test(method, concrete) { answer in
                                #expect(answer.status == .methodNotAllowed, "\(method) \(path)")
                                let allow = answer.headers.first(name: .allow) ?? ""
                                #expect(listed.allSatisfy { allow.contains($0.uppercased()) }, "\(path): Allow \(allow)")
                            }
                        }
                    }
                }
            }
        }

        static func json(_ object: [String: Any]) -> ByteBuffer {
            ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object))
        }

        static func jsonHeaders(_ token: String) -> HTTPHeaders {
            var headers = bearer(token)
            headers.contentType = .json
            return headers
        }
    }
}
