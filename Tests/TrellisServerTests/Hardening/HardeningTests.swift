import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

/// Runs a test against a database the way a server uses it: an SQLite file (WAL, several
/// connections) by default, or the PostgreSQL of `TRELLIS_TEST_DATABASE_URL`. In-memory SQLite
/// shares one cache between connections and locks whole tables, which no server uses.
func withTrellisOnDisk(_ test: (Application) async throws -> Void) async throws {
    if usingPostgres { return try await withTrellis(test) }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    var settings = testSettings()
    settings.database = .sqliteFile(folder.appendingPathComponent("trellis.sqlite").path)
    try await withTrellis(settings: settings, test)
}

/// Many people at once, each with their own signed-in browser.
func signedInBrowsers(_ count: Int, app: Application) async throws -> [(User, Browser)] {
    let hash = try Bcrypt.hash(TestPeople.password, cost: 4)
    var result: [(User, Browser)] = []
    for index in 0..<count {
        let user = try await PeopleStore.createPerson(email: "person\(index)@example.org", name: "Person \(index)", role: .participant, passwordHash: hash, on: app.db)
        var browser = Browser(app)
        try await browser.signIn(user.email)
        result.append((user, browser))
    }
    return result
}

extension ServerTests {
    @Suite struct Concurrency {
        @Test func `fifty people saving their profiles at once all succeed and every save is kept`() async throws {
            try await withTrellisOnDisk { app in
                let people = try await signedInBrowsers(50, app: app)
                let statuses = try await withThrowingTaskGroup(of: (Int, HTTPStatus).self) { group in
                    for (index, (user, browser)) in people.enumerated() {
                        group.addTask {
                            var browser = browser
                            let response = try await browser.post("/people/\(user.id!)/edit", [
                                ("name", "Person \(index)"), ("headline", "Headline \(index)"), ("department", "Team \(index % 5)"),
                                ("expertise", "Swift, Skill \(index)"), ("interests", "Chess"), ("years_experience", "\(index % 40)"),
                            ])
                            return (index, response.status)
                        }
                    }
                    var all: [Int: HTTPStatus] = [:]
                    for try await (index, status) in group { all[index] = status }
                    return all
                }
                #expect(statuses.values.allSatisfy { $0 == .seeOther }, "\(statuses.filter { $0.value != .seeOther })")
                for (index, (user, _)) in people.enumerated() {
                    let profile = try #require(try await Profile.find(user.id, on: app.db))
                    #expect(profile.headline == "Headline \(index)")
                    #expect(profile.yearsExperience == index % 40)
                    let tags = try await PeopleStore.tags(of: [user.id!], on: app.db)[user.id!]?[.expertise] ?? []
                    #expect(tags == ["Swift", "Skill \(index)"])
                }
            }
        }

        @Test func `twenty parallel adds of one email make one person; the rest get a clear 422`() async throws {
            try await withTrellisOnDisk { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let statuses = try await withThrowingTaskGroup(of: (HTTPStatus, String).self) { group in
                    for index in 0..<20 {
                        group.addTask { [admin] in
                            var browser = admin
                            let response = try await browser.post("/admin/people", [("name", "Twin \(index)"), ("email", "twin@example.org"), ("role", "participant")])
                            return (response.status, response.text)
                        }
                    }
                    var all: [(HTTPStatus, String)] = []
                    for try await result in group { all.append(result) }
                    return all
                }
                #expect(statuses.filter { $0.0 == .created }.count == 1)
                let refused = statuses.filter { $0.0 != .created }
                #expect(refused.count == 19)
                #expect(refused.allSatisfy { $0.0 == .unprocessableEntity && $0.1.contains("already in Trellis") })
                #expect(try await User.query(on: app.db).filter(\.$email == "twin@example.org").count() == 1)
            }
        }

        @Test func `two setups racing make one program manager`() async throws {
            try await withTrellisOnDisk { app in
                let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                    for index in 0..<6 {
                        group.addTask {
                            var browser = Browser(app)
                            return try await browser.post("/setup", [("name", "Admin \(index)"), ("email", "admin\(index)@example.org"), ("password", "a long enough password"), ("password_confirmation", "a long enough password")]).status
                        }
                    }
                    var all: [HTTPStatus] = []
                    for try await status in group { all.append(status) }
                    return all
                }
                #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses)")
                #expect(try await User.query(on: app.db).count() == 1)
            }
        }

        @Test func `forty parallel sign-in attempts on one account check at most five passwords, and the right one is refused too`() async throws {
            try await withTrellisOnDisk { app in
                try await TestPeople.create(on: app)
                var template = Browser(app)
                _ = try await template.get("/sign-in")
                let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                    for index in 0..<40 {
                        group.addTask { [template] in
                            var browser = template
                            // One attempt in the middle has the right password.
                            let password = index == 20 ? TestPeople.password : "guess \(index)"
                            return try await browser.post("/sign-in", [("email", TestPeople.alice), ("password", password)]).status
                        }
                    }
                    var all: [HTTPStatus] = []
                    for try await status in group { all.append(status) }
                    return all
                }
                let checked = statuses.filter { $0 != .tooManyRequests }
                #expect(checked.count <= SignInThrottle.maximumFailures, "\(checked.count) passwords were checked")
                #expect(statuses.filter { $0 == .tooManyRequests }.count >= 35)
                #expect(try await SignInAttempt.query(on: app.db).count() == checked.count, "only checked attempts are recorded")
                // Whether or not the right password was among the first five, the account is locked now.
                var late = template
                if !statuses.contains(.seeOther) {
                    #expect(try await late.post("/sign-in", [("email", TestPeople.alice), ("password", TestPeople.password)]).status == .tooManyRequests)
                }
            }
        }
    }

    @Suite struct Throttling {
        @Test func `the current-password check of a password change is throttled like sign-in`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                for index in 0..<5 {
                    let wrong = try await alice.post("/settings/password", [("current_password", "guess \(index)"), ("password", "a brand new password"), ("password_confirmation", "a brand new password")])
                    #expect(wrong.status == .unprocessableEntity)
                    #expect(wrong.text.contains("This is not your current password"))
                }
                let paused = try await alice.post("/settings/password", [("current_password", TestPeople.password), ("password", "a brand new password"), ("password_confirmation", "a brand new password")])
                #expect(paused.status == .tooManyRequests)
                #expect(paused.text.contains("password checks are paused"))
                let stored = try #require(try await User.query(on: app.db).filter(\.$email == TestPeople.alice).first())
                #expect(try Bcrypt.verify(TestPeople.password, created: stored.passwordHash!), "the password did not change")
            }
        }

        @Test func `an unknown email costs the same Bcrypt work as a known one`() async throws {
            try await withTrellis { app in
                // The decoy has the configured cost, so checking it takes as long as a real hash.
                let decoy = try await PasswordCheck.decoyHash(cost: app.trellisSettings.bcryptCost)
                #expect(decoy.hasPrefix("$2b$0\(app.trellisSettings.bcryptCost)$") || decoy.hasPrefix("$2a$0\(app.trellisSettings.bcryptCost)$") || decoy.hasPrefix("$2y$0\(app.trellisSettings.bcryptCost)$"), "\(decoy)")
                try await TestPeople.create(on: app)
                var browser = Browser(app)
                let unknown = try await browser.post("/sign-in", [("email", "nobody@example.org"), ("password", "whatever it is")])
                let known = try await browser.post("/sign-in", [("email", TestPeople.alice), ("password", "whatever it is")])
                #expect(unknown.status == known.status)
                #expect(unknown.text.contains("do not match an account") && known.text.contains("do not match an account"))
            }
        }
    }

    @Suite struct Redirects {
        static let bypasses = [
            "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example", "/\n/evil.example",
            "/\r/evil.example", "/%09/evil.example", "/%2f%2fevil.example", "/%2F/evil.example", "/%5cevil.example",
            "https://evil.example", "http:evil.example", "javascript:alert(1)", "//evil.example/%2e%2e", "/ /evil.example",
            "evil.example", " /evil", "/\u{0}/evil.example", "//@evil.example", "/\u{3000}/evil.example", "%2f%2fevil.example",
            "/.//evil.example", "data:text/html,<script>alert(1)</script>", "//evil.example:443/", "/\u{FF0F}evil.example",
        ]

        @Test func `only same-origin paths survive as next`() {
            for value in Self.bypasses {
                let result = AuthController.safeNext(value)
                #expect(result == "/", "\(value.debugDescription) was accepted as \(result)")
            }
            for good in ["/people", "/people?q=swift&page=2", "/people/123/edit", "/admin/people#list", "/"] {
                #expect(AuthController.safeNext(good) == good)
            }
        }

        @Test func `sign-in never redirects to another host`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                for value in Self.bypasses {
                    var browser = Browser(app)
                    let response = try await browser.post("/sign-in", [("email", TestPeople.alice), ("password", TestPeople.password), ("next", value)])
                    #expect(response.status == .seeOther)
                    #expect(response.location == "/", "\(value.debugDescription) → \(response.location ?? "")")
                }
            }
        }
    }

    @Suite struct Limits {
        @Test func `a CSRF cookie and field that are empty or short are refused`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                for token in ["", "a", "abc", String(repeating: "x", count: 31)] {
                    var headers = HTTPHeaders()
                    headers.contentType = .urlEncodedForm
                    headers.replaceOrAdd(name: .cookie, value: "\(CSRFMiddleware.cookieName)=\(token)")
                    let body = "email=\(TestPeople.alice.replacingOccurrences(of: "@", with: "%40"))&password=correct+horse+battery&csrf=\(token)"
                    try await app.testing().test(.POST, "/sign-in", headers: headers, body: ByteBuffer(string: body)) { response in
                        #expect(response.status == .forbidden, "token \(token.debugDescription)")
                    }
                }
                #expect(try await UserSession.query(on: app.db).count() == 0)
            }
        }

        @Test func `passwords longer than Bcrypt reads are refused with the limit named`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let long = String(repeating: "é", count: 40)  // 40 characters, 80 bytes
                let response = try await alice.post("/settings/password", [("current_password", TestPeople.password), ("password", long), ("password_confirmation", long)])
                #expect(response.status == .unprocessableEntity)
                #expect(response.text.contains("at most 72 bytes"))
                let withNul = "a long password\u{0}with a NUL"
                #expect(!PasswordRules.check(withNul, confirmation: withNul).isEmpty)
            }
        }

        @Test func `a body of exactly the limit is accepted and one byte more is refused, when streamed over a socket`() async throws {
            // Vapor refuses a streamed body that reaches the number it is given: a form of exactly
            // 256 KB was refused. Over a real connection, where the body arrives in pieces.
            try await withTrellis { app in
                var headers = HTTPHeaders()
                headers.contentType = .urlEncodedForm
                // Below the kernel's range for outgoing connections (32768 on), where a port in use
                // by a client's connection (the database's, say) made the bind fail now and then.
                let live = try app.testing(method: .running(hostname: "127.0.0.1", port: Int.random(in: 20_000...32_000)))
                for (size, expected) in [(RequestLimits.formBytes, HTTPStatus.forbidden), (RequestLimits.formBytes + 1, .payloadTooLarge)] {
                    let prefix = "email=a%40example.org&csrf=x&x="
                    let body = ByteBuffer(string: prefix + String(repeating: "a", count: size - prefix.utf8.count))
                    #expect(body.readableBytes == size)
                    try await live.test(.POST, "/sign-in", headers: headers, body: body) { response in
                        // Within the limit, the form reaches the CSRF check (no cookie: refused).
                        #expect(response.status == expected, "\(size) bytes")
                    }
                    try await live.test(.GET, "/sign-in", headers: headers, body: body) { response in
                        #expect(response.status == (size > RequestLimits.formBytes ? .payloadTooLarge : .ok), "GET with \(size) bytes")
                    }
                }
            }
        }

        @Test func `limits on the token name and the search count scalars, as every other limit does`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                // One letter and 5,000 combining marks: one Swift character, 5,001 scalars.
                let heavy = "a" + String(repeating: "\u{301}", count: 5_000)
                let token = try await alice.post("/settings/tokens", [("token_name", heavy)])
                #expect(token.status == .unprocessableEntity)
                #expect(token.text.contains("at most 60 characters"))
                #expect(try await APIToken.query(on: app.db).count() == 0)
                let search = try await alice.get("/people?q=Sam%20e" + String(repeating: "%CC%81", count: 300))
                #expect(search.status == .ok)
                #expect(search.text.contains("Only the first 200 characters of the search were used."))
            }
        }

        @Test func `anonymous and ordinary forms are limited to small bodies, with the limit in words`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let big = ByteBuffer(string: "csrf=x&bio=" + String(repeating: "a", count: 1_000_000))
                var headers = HTTPHeaders()
                headers.contentType = .urlEncodedForm
                for path in ["/sign-in", "/no-such-page", "/admin/import/preview", "/setup"] {
                    try await app.testing().test(.POST, path, headers: headers, body: big) { response in
                        #expect(response.status == .payloadTooLarge, "\(path)")
                        #expect(response.body.string.contains("the limit is 256 KB"), "\(path)")
                    }
                }
                // A request that has no use for a body (every route reads one before its handler)
                // is held to the same limit, on the web and the API.
                for (method, path) in [(HTTPMethod.GET, "/sign-in"), (.GET, "/api/v1/openapi.json"), (.HEAD, "/people"), (.OPTIONS, "/"), (.GET, "/no-such-page")] {
                    try await app.testing().test(method, path, headers: headers, body: big) { response in
                        #expect(response.status == .payloadTooLarge, "\(method) \(path)")
                        if method != .HEAD { #expect(response.body.string.contains("the limit is 256 KB"), "\(method) \(path)") }
                    }
                }
                try await app.testing().test(.GET, "/sign-in", headers: headers, body: ByteBuffer(string: "small")) { response in
                    #expect(response.status == .ok)
                }
                // A program manager's upload may be large.
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let rows = (0..<6000).map { "person\($0)@example.org,Person \($0),mentee,,,,,,,,,,," }.joined(separator: "\n")
                let file = Data((PeopleTable.columns.joined(separator: ",") + "\n" + rows).utf8)
                #expect(file.count > RequestLimits.formBytes)
                let preview = try await admin.upload("/admin/import/preview", file: file, filename: "people.csv")
                #expect(preview.status == .ok)
            }
        }

        @Test func `the API refuses unknown fields and bodies that are not JSON, as its document says`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let token = try await API.token(for: TestPeople.alice, app: app)
                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: API.jsonHeaders(token), body: ByteBuffer(string: #"{"headline": "Hi", "head_line": "typo", "": null}"#)) { response throws in
                    #expect(response.status == .unprocessableEntity)
                    let fields = try response.content.decode(APIErrorBody.self).fields ?? [:]
                    #expect(fields["head_line"]?.contains("Unknown field") == true && fields[""] != nil)
                }
                #expect(try await Profile.find(try await User.query(on: app.db).filter(\.$email == TestPeople.alice).first()!.id, on: app.db)?.headline == "")
                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: API.bearer(token), body: ByteBuffer(string: "headline=Hi")) { response throws in
                    #expect(response.status == .unsupportedMediaType)
                    #expect(try response.content.decode(APIErrorBody.self).error.contains("application/json"))
                }
                try await app.testing().test(.TRACE, "/api/v1/me", headers: API.bearer(token)) { response in
                    #expect(response.status == .methodNotAllowed)
                }
            }
        }

        @Test func `decoding errors say what was wrong in words, not Swift type names`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let token = try await API.token(for: TestPeople.alice, app: app)
                for body in [#"{"years_experience": "ten"}"#, #"{"years_experience": 1e300}"#, #"{"years_experience": 99999999999999999999999}"#, #"{"contact_private": "yes"}"#, "{not json", #"{"languages": "English"}"#] {
                    try await app.testing().test(.PUT, "/api/v1/me/profile", headers: API.jsonHeaders(token), body: ByteBuffer(string: body)) { response throws in
                        #expect(response.status == .badRequest, "\(body)")
                        let message = try response.content.decode(APIErrorBody.self).error
                        #expect(!message.contains("Int") && !message.contains("Swift") && !message.contains("Optional") && !message.contains("Bool"), "\(body): \(message)")
                    }
                }
            }
        }
    }
}

extension ServerTests {
    @Suite struct KeptCounts {
        /// What the counts should be, counted from scratch.
        static func recount(_ app: Application) async throws -> (facets: [String], tags: [String]) {
            let profiles = try await Profile.query(on: app.db).all()
            var facets = Set<String>()
            for profile in profiles {
                if !profile.department.isEmpty { facets.insert("department:\(profile.department)") }
                if !profile.timezone.isEmpty { facets.insert("timezone:\(profile.timezone)") }
            }
            var tags: [String: Int] = [:]
            for tag in try await ProfileTag.query(on: app.db).all() { tags["\(tag.kind):\(tag.key)", default: 0] += 1 }
            return (facets.sorted(), tags.map { "\($0.key)=\($0.value)" }.sorted())
        }

        static func kept(_ app: Application) async throws -> (facets: [String], tags: [String]) {
            let snapshot = try await DirectoryCounts.snapshot(on: app.db)
            let (departments, timezones) = (snapshot.departments, snapshot.timezones)
            var tags: [String] = []
            // The form's suggestions of every kind in one read are each kind's own, in the same order.
            let popular = try await DirectoryCounts.popular(limit: 2, on: app.db)
            for kind in TagKind.allCases {
                #expect(popular[kind] ?? [] == (try await DirectoryCounts.suggestions(kind: kind, prefix: "", limit: 2, on: app.db)).map(\.name))
                for suggestion in try await DirectoryCounts.suggestions(kind: kind, prefix: "", limit: 1000, on: app.db) {
                    tags.append("\(kind.rawValue):\(Tags.key(suggestion.name))=\(suggestion.count)")
                }
            }
            return ((departments.map { "department:\($0)" } + timezones.map { "timezone:\($0)" }).sorted(), tags.sorted())
        }

        @Test func `filter values and tag counts kept on write equal a count from scratch after edits and imports`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                var bob = Browser(app)
                try await bob.signIn(TestPeople.bob)
                _ = try await alice.post("/people/\(people.alice.id!)/edit", [("name", "Alice Ahmed"), ("department", "Sales"), ("timezone", "Europe/Paris"), ("expertise", "Go, Rust"), ("interests", "Chess")])
                _ = try await bob.post("/people/\(people.bob.id!)/edit", [("name", "Bob Brown"), ("department", "Sales"), ("timezone", "Asia/Tokyo"), ("expertise", "go"), ("interests", "Chess, Tennis")])
                #expect(try await Self.kept(app) == Self.recount(app))
                // Alice moves and changes her skills; Sales still has Bob; Paris is gone.
                _ = try await alice.post("/people/\(people.alice.id!)/edit", [("name", "Alice Ahmed"), ("department", "Legal"), ("timezone", "Asia/Tokyo"), ("expertise", "Rust, Zig"), ("interests", "")])
                #expect(try await Self.kept(app) == Self.recount(app))
                #expect(try await DirectoryCounts.snapshot(on: app.db).timezones == ["Asia/Tokyo"])
                // An import, then the suggestions for a prefix.
                try await PeopleCSV.apply(try await PeopleCSV.plan(String(decoding: PeopleImport_.tricky, as: UTF8.self), on: app.db), by: nil, on: app.db)
                #expect(try await Self.kept(app) == Self.recount(app))
                let negotiation = try await DirectoryCounts.suggestions(kind: .expertise, prefix: "neg", limit: 5, on: app.db)
                #expect(negotiation.map(\.name) == ["Negotiation"] && negotiation.first?.count == 1)
                let go = try await DirectoryCounts.suggestions(kind: .expertise, prefix: "G", limit: 5, on: app.db)
                #expect(go.first?.name == "go" && go.first?.count == 1, "Bob's spelling, now that Alice dropped Go")
            }
        }
    }
}

typealias PeopleImport_ = ServerTests.PeopleImport

extension ServerTests {
    @Suite struct FullTextSearch {
        @Test func `search finds word starts in names and tags, ignores case and accents, and follows edits and imports`() async throws {
            try await withTrellis { app in
                try await DirectoryPages.seed(app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                // Word starts, any case, any accent; every word must match.
                #expect(try await admin.get("/people?q=KUBE").text.contains("Mira Patel"))
                #expect(try await admin.get("/people?q=patel").text.contains("Mira Patel"), "a surname")
                #expect(try await admin.get("/people?q=mira%20distributed").text.contains("Mira Patel"), "a name and a skill together")
                #expect(!(try await admin.get("/people?q=mira%20sketching").text.contains("Mira Patel")), "every word must match")
                // A rename is found at once, the old name no longer.
                let mira = try #require(try await User.query(on: app.db).filter(\.$email == "mira@example.org").first())
                _ = try await admin.post("/people/\(mira.id!)/edit", [("name", "Mírä Pätel-Sørensen"), ("expertise", "Kubernetes")])
                #expect(try await admin.get("/people?q=sorensen").text.contains("Mírä Pätel-Sørensen"))
                #expect(!(try await admin.get("/people?q=distributed").text.contains("Pätel")), "a removed skill is not found")
                // An import's people are found too, and the admin list finds surnames and email starts.
                let csv = PeopleImport_.header + "\nzara@example.org,Zara Ndiaye,mentor,Ops,,Africa/Dakar,French,Incident response,,,,2,monthly,9\n"
                try await PeopleCSV.apply(try await PeopleCSV.plan(csv, on: app.db), by: nil, on: app.db)
                #expect(try await admin.get("/people?q=incident&role=mentor").text.contains("Zara Ndiaye"))
                #expect(try await admin.get("/admin/people?q=ndiaye").text.contains("zara@example.org"))
                #expect(try await admin.get("/admin/people?q=zara%40ex").text.contains("Zara Ndiaye"))
                // Most relevant first: a name that starts with the word before a skill that does.
                _ = try await PeopleStore.createPerson(email: "zora@example.org", name: "Zora Kubernetes", role: .participant, on: app.db)
                let ranked = try await admin.get("/people?q=kubernetes").text
                let zora = try #require(ranked.range(of: "Zora Kubernetes")), tom = try #require(ranked.range(of: "Tom Okafor"))
                #expect(zora.lowerBound < tom.lowerBound, "a word of the name ranks above a skill, though Z sorts last")
                let both = try await admin.get("/people?q=okafor%20kubernetes").text
                #expect(both.contains("Tom Okafor") && !both.contains("Zora Kubernetes"))
                // Only punctuation finds nobody, and nothing breaks.
                let punctuation = try await admin.get("/people?q=%22%2A%28%29%3A")
                #expect(punctuation.status == .ok && punctuation.text.contains("No one matches"))
            }
        }
    }
}
