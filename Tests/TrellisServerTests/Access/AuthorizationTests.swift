import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// Every route, asked by each kind of visitor: nobody, the person it concerns, another
    /// participant, and a program manager.
    @Suite struct Authorization {
        /// Carol is another participant, for the routes of a program Alice and Bob are in (where
        /// Alice is the mentee and Bob the mentor); cases without her skip her.
        enum Visitor: String, CaseIterable { case anonymous, alice, bob, admin, carol }

        struct Case: CustomStringConvertible {
            var method: HTTPMethod
            var path: String
            var form: [(String, String)] = []
            /// Expected status per visitor; a redirect to sign-in is `.seeOther`.
            var expect: [Visitor: HTTPStatus]
            var description: String { "\(method) \(path)" }
        }

        @Test func `each route answers each kind of visitor as it should`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let alice = try people.alice.requireID(), bob = try people.bob.requireID()
                _ = try await PeopleStore.createPerson(email: "carol@example.org", name: "Carol", role: .participant, passwordHash: try Bcrypt.hash(TestPeople.password, cost: 4), on: app.db)
                let aliceToken = APIToken(userID: alice, name: "alice's script", tokenHash: SecretToken.digest("trl_alice"), hint: "lice", now: Date())
                try await aliceToken.create(on: app.db)
                let tokenID = try aliceToken.requireID()

                var browsers: [Visitor: Browser] = [:]
                for visitor in Visitor.allCases {
                    var browser = Browser(app)
                    switch visitor {
                    case .anonymous: try await browser.get("/sign-in")
                    case .alice: try await browser.signIn(TestPeople.alice)
                    case .bob: try await browser.signIn(TestPeople.bob)
                    case .admin: try await browser.signIn(TestPeople.admin)
                    case .carol: try await browser.signIn("carol@example.org")
                    }
                    browsers[visitor] = browser
                }
                let profileForm: [(String, String)] = [("name", "Alice Ahmed"), ("timezone", "Europe/Paris")]
                // A program open for enrolment with Alice in it, and a draft.
                let admin = people.admin
                let open = try await ProgramStore.create(ProgramDraft(name: "Open program"), weights: .init(), by: admin, on: app.db).requireID()
                _ = try await ProgramStore.move(open, to: .enrolling, by: admin, on: app.db)
                try await ProgramStore.enrol([.init(userID: alice, role: .mentee, capacity: nil, statement: "")], in: open, selfJoined: true, by: people.alice, on: app.db)
                let draft = try await ProgramStore.create(ProgramDraft(name: "Draft program"), weights: .init(), by: admin, on: app.db).requireID()
                // A mentorship of Alice's (her mentor is someone who is not a visitor here), and a
                // notification of hers.
                let dave = try await PeopleStore.createPerson(email: "dave@example.org", name: "Dave", role: .participant, on: app.db)
                let mentorship = Mentorship()
                mentorship.programID = draft; mentorship.mentorID = try dave.requireID(); mentorship.menteeID = alice
                mentorship.state = MentorshipState.active.rawValue; mentorship.startedOn = "2027-01-01"; mentorship.createdAt = Date()
                try await mentorship.create(on: app.db)
                let mentorshipID = try mentorship.requireID()
                let notice = InAppNotification(userID: alice, kind: "match-published", title: "You have a mentor", body: "", link: "/mentoring")
                try await notice.create(on: app.db)
                let noticeID = try notice.requireID()
                // A self-select program in matching: Alice a mentee who asked Bob, a mentor.
                let choose = try await ProgramStore.create(ProgramDraft(name: "Choose", mode: .selfSelect), weights: .init(), by: admin, on: app.db).requireID()
                _ = try await ProgramStore.move(choose, to: .enrolling, by: admin, on: app.db)
                try await ProgramStore.enrol([.init(userID: alice, role: .mentee, capacity: nil, statement: ""), .init(userID: bob, role: .mentor, capacity: 1, statement: "")], in: choose, selfJoined: false, by: admin, on: app.db)
                _ = try await ProgramStore.move(choose, to: .matching, by: admin, on: app.db)
                let request = try await Requests.create(program: choose, mentee: alice, mentor: bob, note: "Hello", on: app.db).requireID()
                // A preference program collecting rankings: Alice (mentee) has shortlisted Bob (mentor).
                let rank = try await ProgramStore.create(ProgramDraft(name: "Rank", mode: .preference), weights: .init(), by: admin, on: app.db).requireID()
                _ = try await ProgramStore.move(rank, to: .enrolling, by: admin, on: app.db)
                try await ProgramStore.enrol([.init(userID: alice, role: .mentee, capacity: nil, statement: ""), .init(userID: bob, role: .mentor, capacity: 1, statement: "")], in: rank, selfJoined: false, by: admin, on: app.db)
                try await Rankings.change(.add(bob), ranker: alice, program: rank, on: app.db)
                let longText = String(repeating: "m", count: 1_001)
                let cases: [Case] = [
                    Case(method: .GET, path: "/", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .ok, .admin: .ok]),
                    Case(method: .GET, path: "/people", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .ok, .admin: .ok]),
                    Case(method: .GET, path: "/people/\(alice)", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .ok, .admin: .ok]),
                    Case(method: .GET, path: "/people/\(UUID())", expect: [.anonymous: .seeOther, .alice: .notFound, .bob: .notFound, .admin: .notFound]),
                    Case(method: .GET, path: "/people/not-a-uuid", expect: [.anonymous: .seeOther, .alice: .notFound, .bob: .notFound, .admin: .notFound]),
                    Case(method: .GET, path: "/profile", expect: [.anonymous: .seeOther, .alice: .seeOther, .bob: .seeOther, .admin: .seeOther]),
                    Case(method: .GET, path: "/profile/edit", expect: [.anonymous: .seeOther, .alice: .seeOther, .bob: .seeOther, .admin: .seeOther]),
                    Case(method: .GET, path: "/people/\(alice)/edit", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .forbidden, .admin: .ok]),
                    Case(method: .POST, path: "/people/\(alice)/edit", form: profileForm, expect: [.anonymous: .unauthorized, .alice: .seeOther, .bob: .forbidden, .admin: .seeOther]),
                    Case(method: .GET, path: "/admin/people", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .ok]),
                    Case(method: .POST, path: "/admin/people", form: [("name", "X"), ("email", "bad")], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .unprocessableEntity]),
                    Case(method: .POST, path: "/admin/people/\(bob)/invite", expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .ok]),
                    Case(method: .POST, path: "/admin/people/\(bob)/reset-link", expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .ok]),
                    Case(method: .GET, path: "/admin/export/people.csv", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .ok]),
                    Case(method: .GET, path: "/admin/audit", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .ok]),
                    Case(method: .GET, path: "/tags/suggest?kind=interests&prefix=c", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .ok, .admin: .ok]),
                    Case(method: .GET, path: "/admin/import", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .ok]),
                    Case(method: .POST, path: "/admin/import/preview", form: [("csv", "")], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .unprocessableEntity]),
                    Case(method: .POST, path: "/admin/import/confirm", form: [("job", UUID().uuidString)], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .notFound]),
                    Case(method: .GET, path: "/admin/import/jobs/\(UUID())", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .notFound]),
                    // Rankings: the program's participants only, each their own ranking; other modes have none.
                    Case(method: .GET, path: "/programs/\(rank)/rankings", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .ok, .carol: .forbidden, .admin: .forbidden]),
                    Case(method: .GET, path: "/programs/\(choose)/rankings", expect: [.anonymous: .seeOther, .alice: .notFound, .bob: .notFound, .carol: .notFound, .admin: .notFound]),
                    Case(method: .GET, path: "/programs/\(draft)/rankings", expect: [.anonymous: .seeOther, .alice: .notFound, .bob: .notFound, .carol: .notFound, .admin: .notFound]),
                    Case(method: .POST, path: "/programs/\(rank)/rankings", form: [("person", bob.uuidString)], expect: [.anonymous: .unauthorized, .alice: .unprocessableEntity, .bob: .unprocessableEntity, .carol: .forbidden, .admin: .forbidden]),
                    Case(method: .POST, path: "/programs/\(rank)/rankings/\(bob)/up", expect: [.anonymous: .unauthorized, .alice: .seeOther, .bob: .notFound, .carol: .forbidden, .admin: .forbidden]),
                    Case(method: .POST, path: "/programs/\(rank)/rankings/\(bob)/down", expect: [.anonymous: .unauthorized, .alice: .seeOther, .bob: .notFound, .carol: .forbidden, .admin: .forbidden]),
                    Case(method: .POST, path: "/programs/\(rank)/rankings/\(UUID())/remove", expect: [.anonymous: .unauthorized, .alice: .notFound, .bob: .notFound, .carol: .forbidden, .admin: .forbidden]),
                    Case(method: .POST, path: "/programs/\(choose)/rankings/\(bob)/remove", expect: [.anonymous: .unauthorized, .alice: .notFound, .bob: .notFound, .carol: .notFound, .admin: .notFound]),
                    Case(method: .GET, path: "/programs", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .ok, .admin: .ok]),
                    Case(method: .GET, path: "/programs/\(open)", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .ok, .admin: .ok]),
                    // A draft is not revealed to participants: not found, as a missing program.
                    Case(method: .GET, path: "/programs/\(draft)", expect: [.anonymous: .seeOther, .alice: .notFound, .bob: .notFound, .admin: .ok]),
                    Case(method: .GET, path: "/programs/\(UUID())", expect: [.anonymous: .seeOther, .alice: .notFound, .bob: .notFound, .admin: .notFound]),
                    Case(method: .POST, path: "/programs/\(draft)/join", form: [("role", "mentee")], expect: [.anonymous: .unauthorized, .alice: .notFound, .bob: .notFound, .admin: .unprocessableEntity]),
                    Case(method: .POST, path: "/programs/\(open)/join", form: [("role", "king")], expect: [.anonymous: .unauthorized, .alice: .unprocessableEntity, .bob: .unprocessableEntity, .admin: .unprocessableEntity]),
                    // Only the enrolled can withdraw, and only themselves (Alice goes last).
                    Case(method: .POST, path: "/programs/\(open)/withdraw", expect: [.anonymous: .unauthorized, .bob: .conflict, .admin: .conflict, .alice: .ok]),
                    Case(method: .GET, path: "/admin/programs/new", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .ok]),
                    Case(method: .POST, path: "/admin/programs", form: [("name", "")], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .unprocessableEntity]),
                    Case(method: .GET, path: "/admin/programs/\(open)/edit", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .ok]),
                    Case(method: .POST, path: "/admin/programs/\(open)/edit", form: [("name", "")], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .unprocessableEntity]),
                    Case(method: .POST, path: "/admin/programs/\(open)/state", form: [("to", "concluded")], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .conflict]),
                    Case(method: .GET, path: "/admin/programs/\(open)/participants", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .ok]),
                    Case(method: .GET, path: "/admin/programs/\(open)/participants/directory?as=mentee&department=Nowhere", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .carol: .forbidden, .admin: .ok]),
                    Case(method: .POST, path: "/admin/programs/\(open)/participants/directory", form: [("department", "Nowhere"), ("as", "mentee")], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .carol: .forbidden, .admin: .conflict]),
                    Case(method: .GET, path: "/admin/programs/\(open)/pairs", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .carol: .forbidden, .admin: .ok]),
                    Case(method: .GET, path: "/admin/programs/\(UUID())/pairs?after=x", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .notFound]),
                    Case(method: .GET, path: "/admin/programs/\(UUID())/participants", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .notFound]),
                    Case(method: .POST, path: "/admin/programs/\(open)/participants", form: [("email", "")], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .unprocessableEntity]),
                    Case(method: .POST, path: "/admin/programs/\(open)/participants/\(bob)/remove", expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .conflict]),
                    Case(method: .POST, path: "/admin/programs/\(open)/participants/csv", form: [("csv", "")], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .unprocessableEntity]),
                    Case(method: .POST, path: "/admin/programs/\(open)/participants/csv/confirm", form: [("upload", UUID().uuidString)], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .notFound]),
                    Case(method: .POST, path: "/admin/programs/\(open)/runs", expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .conflict]),
                    Case(method: .GET, path: "/admin/programs/\(open)/runs", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .ok]),
                    Case(method: .GET, path: "/admin/programs/\(open)/runs/compare?a=1&b=2", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .notFound]),
                    Case(method: .GET, path: "/admin/programs/\(open)/runs/1", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .notFound]),
                    Case(method: .GET, path: "/admin/programs/\(open)/runs/99999999999999999999999", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .notFound]),
                    Case(method: .POST, path: "/admin/programs/\(open)/runs/1/publish", expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .notFound]),
                    Case(method: .POST, path: "/admin/programs/\(open)/decisions", form: [("mentee", alice.uuidString), ("mentor", bob.uuidString), ("kind", "lock")], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .conflict]),
                    Case(method: .POST, path: "/admin/programs/\(open)/decisions/\(UUID())/undo", expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .forbidden, .admin: .conflict]),
                    Case(method: .GET, path: "/admin/programs/\(open)/why-not", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .forbidden, .admin: .ok]),
                    Case(method: .GET, path: "/mentoring", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .ok, .admin: .ok]),
                    // A mentorship is the pair's alone: not another participant's, not a manager's.
                    Case(method: .GET, path: "/mentorships/\(mentorshipID)", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .notFound, .admin: .notFound]),
                    Case(method: .GET, path: "/notifications", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .ok, .admin: .ok]),
                    Case(method: .POST, path: "/notifications/\(noticeID)/read", expect: [.anonymous: .unauthorized, .bob: .notFound, .admin: .notFound, .alice: .seeOther]),
                    Case(method: .POST, path: "/notifications/read-all", expect: [.anonymous: .unauthorized, .alice: .seeOther, .bob: .seeOther, .admin: .seeOther]),
                    // Self-select: the mentee's pages, the mentor's inbox; Carol is not in the program.
                    Case(method: .GET, path: "/programs/\(choose)/mentors", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .forbidden, .carol: .notFound, .admin: .forbidden]),
                    Case(method: .GET, path: "/programs/\(choose)/mentors/\(bob)", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .forbidden, .carol: .notFound, .admin: .forbidden]),
                    Case(method: .POST, path: "/programs/\(choose)/requests", form: [("mentor", bob.uuidString)], expect: [.anonymous: .unauthorized, .alice: .unprocessableEntity, .bob: .forbidden, .carol: .notFound, .admin: .forbidden]),
                    Case(method: .GET, path: "/programs/\(choose)/inbox", expect: [.anonymous: .seeOther, .alice: .forbidden, .bob: .ok, .carol: .notFound, .admin: .forbidden]),
                    Case(method: .POST, path: "/programs/\(choose)/requests/\(request)/accept", form: [("message", longText)], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .unprocessableEntity, .carol: .notFound, .admin: .forbidden]),
                    Case(method: .POST, path: "/programs/\(choose)/requests/\(request)/decline", form: [("message", longText)], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .unprocessableEntity, .carol: .notFound, .admin: .forbidden]),
                    Case(method: .POST, path: "/programs/\(choose)/waitlist", form: [("mentor", bob.uuidString)], expect: [.anonymous: .unauthorized, .alice: .conflict, .bob: .forbidden, .carol: .notFound, .admin: .forbidden]),
                    Case(method: .POST, path: "/programs/\(choose)/waitlist/\(UUID())/leave", expect: [.anonymous: .unauthorized, .alice: .notFound, .bob: .forbidden, .carol: .notFound, .admin: .forbidden]),
                    Case(method: .POST, path: "/programs/\(choose)/pause", form: [("paused", "off")], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .ok, .carol: .notFound, .admin: .forbidden]),
                    Case(method: .POST, path: "/programs/\(choose)/capacity", form: [("capacity", "lots")], expect: [.anonymous: .unauthorized, .alice: .forbidden, .bob: .unprocessableEntity, .carol: .notFound, .admin: .forbidden]),
                    // Only Alice can withdraw her request (last: it changes it).
                    Case(method: .POST, path: "/programs/\(choose)/requests/\(request)/withdraw", expect: [.anonymous: .unauthorized, .bob: .forbidden, .carol: .notFound, .admin: .forbidden, .alice: .ok]),
                    Case(method: .GET, path: "/settings", expect: [.anonymous: .seeOther, .alice: .ok, .bob: .ok, .admin: .ok]),
                    Case(method: .POST, path: "/settings/password", form: [("current_password", "x")], expect: [.anonymous: .unauthorized, .alice: .unprocessableEntity, .bob: .unprocessableEntity, .admin: .unprocessableEntity]),
                    Case(method: .POST, path: "/settings/tokens", form: [("token_name", "")], expect: [.anonymous: .unauthorized, .alice: .unprocessableEntity, .bob: .unprocessableEntity, .admin: .unprocessableEntity]),
                    // Someone else's token is not found, not forbidden: its existence is not revealed.
                    Case(method: .POST, path: "/settings/tokens/\(tokenID)/revoke", expect: [.anonymous: .unauthorized, .bob: .notFound, .admin: .notFound, .alice: .ok]),
                    Case(method: .POST, path: "/settings/calendar-feed", expect: [.anonymous: .unauthorized, .alice: .ok, .bob: .ok, .admin: .ok]),
                    Case(method: .POST, path: "/settings/calendar-feed/revoke", expect: [.anonymous: .unauthorized, .alice: .ok, .bob: .ok, .admin: .ok]),
                    Case(method: .GET, path: "/setup", expect: [.anonymous: .seeOther, .alice: .seeOther, .bob: .seeOther, .admin: .seeOther]),
                    Case(method: .POST, path: "/setup", form: [("name", "M")], expect: [.anonymous: .forbidden, .alice: .forbidden, .bob: .forbidden, .admin: .forbidden]),
                    Case(method: .GET, path: "/static/app.css", expect: [.anonymous: .ok, .alice: .ok, .bob: .ok, .admin: .ok]),
                    Case(method: .GET, path: "/api/v1/openapi.json", expect: [.anonymous: .ok, .alice: .ok, .bob: .ok, .admin: .ok]),
                ]
                // Every web route of the application is in this matrix, or public by design (named
                // here with the test that covers it): a new route cannot be added without deciding
                // who may use it.
                let publicByDesign: Set<String> = [
                    "GET /healthz", "GET /sign-in", "POST /sign-in", "POST /sign-out",  // AuthTests
                    "GET /invite/:", "POST /invite/:", "GET /reset/:", "POST /reset/:",  // AuthTests: links
                    "GET /calendar/:",  // a calendar feed, by its secret token: MeetingFlow and WorkspaceAccess
                ]
                for route in app.routes.all {
                    let segments = route.path.map { component -> String in
                        switch component {
                        case .constant(let text): text
                        case .parameter: ":"
                        case .anything, .catchall: "*"
                        }
                    }
                    if segments.first == "api" { continue }  // the API's own test below walks every API path
                    if segments.first == "static" { continue }  // files anyone may fetch (a case above)
                    if segments.first == "mentorships", segments.count > 2 { continue }  // a workspace's pages: WorkspaceAccessTests walks them
                    let name = "\(route.method.rawValue) /" + segments.joined(separator: "/")
                    if publicByDesign.contains(name) { continue }
                    let covered = cases.contains { testCase in
                        guard testCase.method == route.method else { return false }
                        let parts = (testCase.path.split(separator: "?").first ?? "").split(separator: "/", omittingEmptySubsequences: true).map(String.init)
                        guard parts.count == segments.count else { return false }
                        return zip(parts, segments).allSatisfy { part, segment in segment == ":" || segment == "*" || segment == part }
                    }
                    #expect(covered, "\(name) is not in the authorization matrix: add a case saying what each visitor gets")
                }
                for testCase in cases {
                    // Alice's revoke goes last among visitors so the others see a live token.
                    for visitor in [Visitor.anonymous, .bob, .carol, .admin, .alice] {
                        guard let expected = testCase.expect[visitor] else { continue }
                        var browser = browsers[visitor]!
                        let response = testCase.method == .GET
                            ? try await browser.get(testCase.path)
                            : try await browser.post(testCase.path, testCase.form)
                        browsers[visitor] = browser
                        #expect(response.status == expected, "\(testCase) as \(visitor): got \(response.status.code)")
                        if visitor == .anonymous, expected == .seeOther, testCase.path != "/setup" {
                            #expect(response.location?.hasPrefix("/sign-in") == true, "\(testCase) sends strangers to sign in")
                        }
                    }
                }
            }
        }

        @Test func `a participant never sees another person's tokens or settings`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let created = try await alice.post("/settings/tokens", [("token_name", "alice-calendar-sync")])
                let secret = try #require(created.text.firstMatch(of: /trl_[A-Za-z0-9_-]+/)).output
                #expect(!(try await alice.get("/settings").text.contains(String(secret))), "shown once only")

                var bob = Browser(app)
                try await bob.signIn(TestPeople.bob)
                let settings = try await bob.get("/settings").text
                #expect(!settings.contains("alice-calendar-sync"))
                #expect(!settings.contains(TestPeople.alice))
                #expect(try await APIToken.query(on: app.db).first()?.tokenHash == SecretToken.digest(String(secret)), "stored hashed")
            }
        }

        @Test func `the API answers every documented path with 401 JSON without a token`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let document = OpenAPIDocument.document(baseURL: "")["paths"] as? [String: [String: Any]] ?? [:]
                for (path, operations) in document where path != "/api/v1/openapi.json" {
                    let concrete = path.replacingOccurrences(of: "{id}", with: people.alice.id!.uuidString).replacingOccurrences(of: "{number}", with: "1").replacingOccurrences(of: "{meeting}", with: UUID().uuidString).replacingOccurrences(of: "{item}", with: UUID().uuidString).replacingOccurrences(of: "{goal}", with: UUID().uuidString).replacingOccurrences(of: "{milestone}", with: UUID().uuidString)
                    for method in operations.keys.map({ HTTPMethod(rawValue: $0.uppercased()) }) {
                        try await app.testing().test(method, concrete + (concrete.hasSuffix("tags") ? "?kind=interests" : "")) { response throws in
                            #expect(response.status == .unauthorized, "\(method) \(concrete)")
                            #expect(response.headers.contentType == .json)
                            #expect(try response.content.decode(APIErrorBody.self).error.contains("Bearer"))
                        }
                    }
                }
                // A session cookie is not an API credential.
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                #expect(try await alice.get("/api/v1/me").status == .unauthorized)
            }
        }
    }
}
