import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import TrellisMatching
import VaporTesting

extension ServerTests {
    /// Programs, runs, requests, mentorships and notifications through `/api/v1`.
    @Suite struct ProgramsAPI {
        struct Answer {
            var status: HTTPStatus
            var json: Any?
            var text: String

            var object: [String: Any] { json as? [String: Any] ?? [:] }
            var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
            var fields: [String: String] { object["fields"] as? [String: String] ?? [:] }
        }

        /// One API call with a token (none: anonymous) and an optional JSON body.
        static func call(_ app: Application, _ method: HTTPMethod, _ path: String, _ token: String?, _ body: Any? = nil) async throws -> Answer {
            var headers = HTTPHeaders()
            if let token { headers.bearerAuthorization = .init(token: token) }
            var buffer: ByteBuffer?
            if let body {
                headers.contentType = .json
                buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: body, options: [.fragmentsAllowed]))
            }
            var answer = Answer(status: .internalServerError, json: nil, text: "")
            try await app.testing().test(method, path, headers: headers, body: buffer) { response in
                answer.status = response.status
                answer.text = response.body.string
                answer.json = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
                #expect(response.headers.contentType == .json, "\(method) \(path) answers JSON")
            }
            return answer
        }

        @Test func `a program manager scripts a bulk program from creation to published pairs`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let (_, mentors, mentees) = try await ServerTests.Preference.program(app, mentors: 2, mentees: 3)
                let admin = try await ServerTests.API.token(for: TestPeople.admin, app: app)
                let alice = try await ServerTests.API.token(for: TestPeople.alice, app: app)

                // Bad settings are named field by field; nothing is created.
                let bad = try await Self.call(app, .POST, "/api/v1/programs", admin, [
                    "name": "", "mode": "lottery", "minimum_score": 2, "starts": "2027-02-30", "weights": ["timeZone": -1, "nope": 1], "colour": "blue",
                ])
                #expect(bad.status == .unprocessableEntity && bad.fields["colour"]?.contains("Unknown field") == true)
                let worse = try await Self.call(app, .POST, "/api/v1/programs", admin, [
                    "name": "", "mode": "lottery", "minimum_score": 2, "starts": "2027-02-30", "weights": ["timeZone": -1, "nope": 1],
                ])
                #expect(worse.status == .unprocessableEntity)
                for field in ["name", "mode", "minimum_score", "starts", "weights.timeZone", "weights.nope"] { #expect(worse.fields[field] != nil, "\(field): \(worse.text)") }
                #expect(try await Self.call(app, .POST, "/api/v1/programs", admin, ["name": 5]).status == .badRequest)
                #expect(try await Self.call(app, .POST, "/api/v1/programs", admin, [1, 2]).status == .badRequest)
                // A field named twice is refused, not read as one of its values.
                var twiceHeaders = ServerTests.API.jsonHeaders(admin)
                twiceHeaders.contentType = .json
                try await app.testing().test(.POST, "/api/v1/programs", headers: twiceHeaders, body: ByteBuffer(string: #"{"name":"dup1","name":"dup2"}"#)) { response in
                    #expect(response.status == .badRequest && response.body.string.contains("names “name” twice"))
                }
                #expect(try await Self.call(app, .POST, "/api/v1/programs", alice, ["name": "Mine"]).status == .forbidden)
                #expect(try await Program.query(on: app.db).count() == 1, "only the fixture's program")

                let created = try await Self.call(app, .POST, "/api/v1/programs", admin, [
                    "name": "Scripted cohort", "mode": "bulk", "minimum_score": 0.1, "enrolment_opens": "2026-01-01", "weights": ["timeZone": 0],
                ])
                #expect(created.status == .created, "\(created.text)")
                let id = try #require(created.object["id"] as? String)
                #expect(created.object["state"] as? String == "draft" && (created.object["weights"] as? [String: Double])?["timeZone"] == 0)
                let base = "/api/v1/programs/\(id)"
                // Alice cannot see a draft; the manager changes one field and keeps the rest.
                #expect(try await Self.call(app, .GET, base, alice).status == .notFound)
                let patched = try await Self.call(app, .PATCH, base, admin, ["purpose": "Grow together"])
                #expect(patched.status == .ok && patched.object["purpose"] as? String == "Grow together")
                #expect((patched.object["rules"] as? [String: Any])?["minimum_score"] as? Double == 0.1)
                #expect(try await Self.call(app, .POST, "\(base)/state", admin, ["to": "active"]).status == .conflict)
                #expect(try await Self.call(app, .POST, "\(base)/state", admin, ["to": "enrolling"]).status == .ok)

                // Enrolment: bad rows named; good ones enrolled.
                let unknown = try await Self.call(app, .POST, "\(base)/enrolments", admin, ["email": "nobody@example.org", "role": "mentee"])
                #expect(unknown.status == .unprocessableEntity && unknown.fields["email"]?.contains("Nobody in Trellis") == true)
                let badRole = try await Self.call(app, .POST, "\(base)/enrolments", admin, ["email": mentees[0].email, "role": "boss"])
                #expect(badRole.status == .unprocessableEntity && badRole.fields["role"] != nil)
                #expect(try await Self.call(app, .POST, "\(base)/enrolments", admin, ["email": mentees[0].email, "role": "mentor", "capacity": 99]).fields["capacity"] != nil)
                // A number that is not whole, or past any integer, is named with its range.
                for capacity in [1.5, 1e20] {
                    let fractional = try await Self.call(app, .POST, "\(base)/enrolments", admin, ["email": mentees[0].email, "role": "mentee", "capacity": capacity])
                    #expect(fractional.status == .unprocessableEntity && fractional.fields["capacity"]?.contains("whole number from 1 to 10") == true, "\(fractional.text)")
                }
                let halfDays = try await Self.call(app, .PATCH, base, admin, ["request_expiry_days": 2.5, "maximum_open_requests": 0])
                #expect(halfDays.fields["request_expiry_days"] != nil && halfDays.fields["maximum_open_requests"] != nil)
                for mentor in mentors {
                    #expect(try await Self.call(app, .POST, "\(base)/enrolments", admin, ["email": mentor.email, "role": "mentor", "capacity": 1]).status == .created)
                }
                for mentee in mentees {
                    let enrolled = try await Self.call(app, .POST, "\(base)/enrolments", admin, ["email": mentee.email, "role": "mentee"])
                    #expect(enrolled.status == .created && (enrolled.object["person"] as? [String: Any])?["name"] as? String == mentee.name)
                }
                let twice = try await Self.call(app, .POST, "\(base)/enrolments", admin, ["email": mentees[0].email, "role": "mentee"])
                #expect(twice.status == .unprocessableEntity && twice.fields["email"] != nil)
                let roster = try await Self.call(app, .GET, "\(base)/enrolments?role=mentee", admin)
                #expect((roster.object["items"] as? [[String: Any]])?.count == 3 && roster.object["next_after"] is NSNull)
                #expect(try await Self.call(app, .GET, "\(base)/enrolments?after=x", admin).status == .unprocessableEntity)

                // A run: refused before matching, then queued, executed, read and published.
                #expect(try await Self.call(app, .POST, "\(base)/runs", admin).status == .conflict)
                #expect(try await Self.call(app, .POST, "\(base)/state", admin, ["to": "matching"]).status == .ok)
                let started = try await Self.call(app, .POST, "\(base)/runs", admin)
                #expect(started.status == .accepted && started.object["state"] as? String == "queued" && started.object["algorithm"] as? String == "optimal")
                #expect(try await Self.call(app, .GET, "\(base)/runs/1/pairs", admin).status == .conflict, "no result yet")
                try await JobQueue.drain(app: app)
                let run = try await Self.call(app, .GET, "\(base)/runs/1", admin)
                #expect(run.object["state"] as? String == "done" && run.object["matched"] as? Int == 2 && run.object["proven"] as? Bool == true)
                let pairs = try await Self.call(app, .GET, "\(base)/runs/1/pairs", admin)
                let items = try #require(pairs.object["items"] as? [[String: Any]])
                #expect(items.count == 2 && (items[0]["reasons"] as? [[String: Any]])?.isEmpty == false)
                let unmatched = try await Self.call(app, .GET, "\(base)/runs/1/pairs?show=unmatched", admin)
                #expect((unmatched.object["items"] as? [[String: Any]])?.first?["mentor"] is NSNull)
                #expect(try await Self.call(app, .GET, "\(base)/runs/1/pairs?show=all", admin).status == .unprocessableEntity)
                #expect(try await Self.call(app, .GET, "\(base)/runs/2", admin).status == .notFound)
                #expect(try await Self.call(app, .GET, "\(base)/runs/-1", admin).status == .notFound)
                #expect(try await Self.call(app, .GET, "\(base)/runs/99999999999999999999", admin).status == .notFound)
                let published = try await Self.call(app, .POST, "\(base)/runs/1/publish", admin)
                #expect(published.status == .ok && published.object["published_at"] is String)
                #expect(try await Self.call(app, .POST, "\(base)/runs/1/publish", admin).status == .conflict)
                #expect(try await Self.call(app, .GET, base, admin).object["state"] as? String == "active")

                // A matched mentee sees their mentorship and the notification; the mentorship is
                // the pair's alone.
                let matchedMentee = try #require(items.first?["mentee"] as? [String: Any])
                let menteeEmail = try #require(mentees.first { $0.id?.uuidString == (matchedMentee["id"] as? String)?.uppercased() || $0.id?.uuidString.lowercased() == (matchedMentee["id"] as? String)?.lowercased() }?.email)
                let menteeToken = try await ServerTests.API.token(for: menteeEmail, app: app)
                let mine = try await Self.call(app, .GET, "/api/v1/mentorships", menteeToken)
                let mentorship = try #require(mine.array.first)
                #expect(mine.array.count == 1 && mentorship["my_role"] as? String == "mentee")
                let mentorshipID = try #require(mentorship["id"] as? String)
                #expect(try await Self.call(app, .GET, "/api/v1/mentorships/\(mentorshipID)", menteeToken).status == .ok)
                #expect(try await Self.call(app, .GET, "/api/v1/mentorships/\(mentorshipID)", admin).status == .notFound, "a manager sees numbers, not the pair's space")
                let notices = try await Self.call(app, .GET, "/api/v1/notifications", menteeToken)
                let notice = try #require(notices.array.first)
                #expect(notice["kind"] as? String == "match-published" && notice["read"] as? Bool == false)
                let read = try await Self.call(app, .POST, "/api/v1/notifications/\(try #require(notice["id"] as? String))/read", menteeToken)
                #expect(read.status == .ok && read.object["read"] as? Bool == true)
                #expect(try await Self.call(app, .POST, "/api/v1/notifications/\(try #require(notice["id"] as? String))/read", alice).status == .notFound)
            }
        }

        @Test func `mentees ask and mentors answer through the API, capacity and the rules holding`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let (id, mentors, mentees) = try await ServerTests.SelfSelect.program(app, mentors: [1], mentees: 3)
                let first = try await ServerTests.API.token(for: mentees[0].email, app: app)
                let second = try await ServerTests.API.token(for: mentees[1].email, app: app)
                let mentor = try await ServerTests.API.token(for: mentors[0].email, app: app)
                let carol = try await ServerTests.API.token(for: TestPeople.bob, app: app)
                let path = "/api/v1/programs/\(id)/requests"
                let mentorID = try mentors[0].requireID().uuidString

                #expect(try await Self.call(app, .POST, path, first, ["mentor_id": try mentees[1].requireID().uuidString]).fields["mentor_id"]?.contains("not a mentor") == true)
                let long = try await Self.call(app, .POST, path, first, ["mentor_id": mentorID, "note": String(repeating: "n", count: 1_001)])
                #expect(long.status == .unprocessableEntity && long.fields["note"] != nil)
                #expect(try await Self.call(app, .POST, path, first, ["note": "hi"]).fields["mentor_id"] != nil)
                #expect(try await Self.call(app, .POST, path, carol, ["mentor_id": mentorID]).status == .notFound, "not enrolled: the program is not shown")
                let asked = try await Self.call(app, .POST, path, first, ["mentor_id": mentorID, "note": "I want to learn Swift"])
                #expect(asked.status == .created && asked.object["state"] as? String == "pending")
                let secondAsked = try await Self.call(app, .POST, path, second, ["mentor_id": mentorID])
                #expect(secondAsked.status == .created)
                let inbox = try await Self.call(app, .GET, "/api/v1/requests", mentor)
                #expect(inbox.array.count == 2)
                let firstID = try #require(asked.object["id"] as? String), secondID = try #require(secondAsked.object["id"] as? String)
                // Only the mentor answers; only the mentee withdraws.
                #expect(try await Self.call(app, .POST, "/api/v1/requests/\(firstID)/accept", first).status == .notFound)
                #expect(try await Self.call(app, .POST, "/api/v1/requests/\(firstID)/withdraw", mentor).status == .notFound)
                #expect(try await Self.call(app, .POST, "/api/v1/requests/\(firstID)/accept", mentor, ["message": String(repeating: "m", count: 1_001)]).status == .unprocessableEntity)
                let accepted = try await Self.call(app, .POST, "/api/v1/requests/\(firstID)/accept", mentor, ["message": "Happy to"])
                #expect(accepted.status == .ok && accepted.object["state"] as? String == "accepted")
                #expect(try await Self.call(app, .POST, "/api/v1/requests/\(firstID)/accept", mentor).status == .conflict)
                // The mentor is full: the second request was declined kindly; a third is refused.
                let secondNow = try await Self.call(app, .GET, "/api/v1/requests", second)
                #expect(secondNow.array.first?["state"] as? String == "declined")
                #expect(try await Self.call(app, .POST, "/api/v1/requests/\(secondID)/withdraw", second).status == .conflict)
                let third = try await ServerTests.API.token(for: mentees[2].email, app: app)
                #expect(try await Self.call(app, .POST, path, third, ["mentor_id": mentorID]).status == .conflict)
                #expect(try await Mentorship.query(on: app.db).filter(\.$programID == id).count() == 1)
                #expect(try await Self.call(app, .GET, "/api/v1/mentorships", first).array.count == 1)
            }
        }

        /// Every documented operation, for every kind of caller: anonymous, Alice (a mentee),
        /// Bob (a mentor), Carol (in no program) and a program manager. A new operation cannot be
        /// documented without a row here.
        @Test func `every API operation answers each kind of caller as it should`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let alice = try people.alice.requireID(), bob = try people.bob.requireID()
                _ = try await PeopleStore.createPerson(email: "carol@example.org", name: "Carol", role: .participant, passwordHash: try Bcrypt.hash(TestPeople.password, cost: 4), on: app.db)
                var tokens: [String: String] = [:]
                for (name, email) in [("alice", TestPeople.alice), ("bob", TestPeople.bob), ("carol", "carol@example.org"), ("admin", TestPeople.admin)] {
                    tokens[name] = try await ServerTests.API.token(for: email, app: app)
                }
                let admin = people.admin
                let choose = try await ProgramStore.create(ProgramDraft(name: "Choose", mode: .selfSelect), weights: .init(), by: admin, on: app.db).requireID()
                _ = try await ProgramStore.move(choose, to: .enrolling, by: admin, on: app.db)
                try await ProgramStore.enrol([.init(userID: alice, role: .mentee, capacity: nil, statement: ""), .init(userID: bob, role: .mentor, capacity: 1, statement: "")], in: choose, selfJoined: false, by: admin, on: app.db)
                _ = try await ProgramStore.move(choose, to: .matching, by: admin, on: app.db)
                let request = try await Requests.create(program: choose, mentee: alice, mentor: bob, note: "Hello", on: app.db).requireID()
                let draft = try await ProgramStore.create(ProgramDraft(name: "Draft"), weights: .init(), by: admin, on: app.db).requireID()
                let mentorship = Mentorship()
                mentorship.programID = draft; mentorship.mentorID = bob; mentorship.menteeID = alice
                mentorship.state = MentorshipState.active.rawValue; mentorship.startedOn = "2027-01-01"; mentorship.createdAt = Date()
                try await mentorship.create(on: app.db)
                let notice = InAppNotification(userID: alice, kind: "match-published", title: "You have a mentor", body: "", link: "/mentoring")
                try await notice.create(on: app.db)

                struct Row { var method: HTTPMethod; var path: String; var body: Any?; var expect: [String: HTTPStatus] }
                let p = "/api/v1/programs"
                let rows: [Row] = [
                    Row(method: .GET, path: p, expect: ["alice": .ok, "bob": .ok, "carol": .ok, "admin": .ok]),
                    Row(method: .POST, path: p, body: ["name": ""], expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .unprocessableEntity]),
                    Row(method: .GET, path: "\(p)/\(choose)", expect: ["alice": .ok, "bob": .ok, "carol": .notFound, "admin": .ok]),
                    Row(method: .GET, path: "\(p)/\(draft)", expect: ["alice": .notFound, "bob": .notFound, "carol": .notFound, "admin": .ok]),
                    Row(method: .PATCH, path: "\(p)/\(choose)", body: ["mode": "bulk"], expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .conflict]),
                    Row(method: .POST, path: "\(p)/\(choose)/state", body: ["to": "draft"], expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .conflict]),
                    Row(method: .GET, path: "\(p)/\(choose)/pairs", expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .ok]),
                    Row(method: .GET, path: "\(p)/\(choose)/pairs?after=nope", expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .unprocessableEntity]),
                    Row(method: .GET, path: "\(p)/\(choose)/enrolments", expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .ok]),
                    Row(method: .POST, path: "\(p)/\(choose)/enrolments", body: ["email": TestPeople.alice, "role": "mentee"], expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .unprocessableEntity]),
                    Row(method: .GET, path: "\(p)/\(choose)/runs", expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .ok]),
                    Row(method: .POST, path: "\(p)/\(choose)/runs", expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .conflict]),
                    Row(method: .GET, path: "\(p)/\(choose)/runs/1", expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .notFound]),
                    Row(method: .GET, path: "\(p)/\(choose)/runs/1/pairs", expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .notFound]),
                    Row(method: .POST, path: "\(p)/\(choose)/runs/1/publish", expect: ["alice": .forbidden, "bob": .forbidden, "carol": .forbidden, "admin": .notFound]),
                    Row(method: .POST, path: "\(p)/\(choose)/requests", body: ["mentor_id": bob.uuidString], expect: ["alice": .unprocessableEntity, "bob": .unprocessableEntity, "carol": .notFound, "admin": .unprocessableEntity]),
                    Row(method: .GET, path: "/api/v1/requests", expect: ["alice": .ok, "bob": .ok, "carol": .ok, "admin": .ok]),
                    Row(method: .POST, path: "/api/v1/requests/\(request)/decline", expect: ["alice": .notFound, "carol": .notFound, "admin": .notFound]),
                    Row(method: .POST, path: "/api/v1/requests/\(request)/accept", expect: ["alice": .notFound, "carol": .notFound, "admin": .notFound, "bob": .ok]),
                    Row(method: .POST, path: "/api/v1/requests/\(request)/withdraw", expect: ["bob": .notFound, "carol": .notFound, "admin": .notFound, "alice": .conflict]),
                    Row(method: .GET, path: "/api/v1/mentorships", expect: ["alice": .ok, "bob": .ok, "carol": .ok, "admin": .ok]),
                    Row(method: .GET, path: "/api/v1/mentorships/\(try mentorship.requireID())", expect: ["alice": .ok, "bob": .ok, "carol": .notFound, "admin": .notFound]),
                    Row(method: .GET, path: "/api/v1/notifications", expect: ["alice": .ok, "bob": .ok, "carol": .ok, "admin": .ok]),
                    Row(method: .POST, path: "/api/v1/notifications/\(try notice.requireID())/read", expect: ["bob": .notFound, "carol": .notFound, "admin": .notFound, "alice": .ok]),
                ]
                for row in rows {
                    #expect(try await Self.call(app, row.method, row.path, nil, row.body).status == .unauthorized, "anonymous \(row.method) \(row.path)")
                    for caller in ["alice", "bob", "carol", "admin"] {
                        guard let expected = row.expect[caller] else { continue }
                        let answer = try await Self.call(app, row.method, row.path, tokens[caller], row.body)
                        #expect(answer.status == expected, "\(caller) \(row.method) \(row.path): \(answer.text)")
                    }
                }
                // Every documented program, request, mentorship and notification operation is a
                // row above.
                let document = OpenAPIDocument.document(baseURL: "")["paths"] as? [String: [String: Any]] ?? [:]
                // (A workspace's operations, under /api/v1/mentorships/{id}/, are WorkspaceAccessTests'.)
                for (path, operations) in document where ["/api/v1/programs", "/api/v1/requests", "/api/v1/mentorships", "/api/v1/notifications"].contains(where: path.hasPrefix)
                    && !path.hasPrefix("/api/v1/mentorships/{id}/") {
                    for method in operations.keys {
                        let pattern = path.split(separator: "/").map(String.init)
                        let covered = rows.contains { row in
                            let parts = row.path.split(separator: "?")[0].split(separator: "/").map(String.init)
                            return row.method.rawValue.lowercased() == method && parts.count == pattern.count
                                && zip(parts, pattern).allSatisfy { $1.hasPrefix("{") || $0 == $1 }
                        }
                        #expect(covered, "\(method.uppercased()) \(path) is not in the API authorization matrix")
                    }
                }
            }
        }
    }
}
