import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import TrellisMatching
import VaporTesting

extension ServerTests {
    /// Self-select programs: suggestions, requests, the inbox, capacity under many accepts at
    /// once, automatic declines, waitlists and expiry.
    @Suite struct SelfSelect {
        /// A self-select program in matching: mentors with the given capacities, and mentees.
        static func program(_ app: Application, mentors capacities: [Int], mentees: Int, maximumOpenRequests: Int = 3) async throws -> (program: UUID, mentors: [User], mentees: [User]) {
            let hash = try Bcrypt.hash(TestPeople.password, cost: 4)
            var mentorUsers: [User] = [], menteeUsers: [User] = []
            let skills = ["Swift", "Databases", "Design", "Leadership"]
            for (index, capacity) in capacities.enumerated() {
                let user = try await PeopleStore.createPerson(email: "mentor\(index)@example.org", name: "Mentor \(index)", role: .participant, passwordHash: hash, on: app.db)
                try await PeopleStore.save(ProfileDraft(
                    name: user.name, department: "Engineering \(index)", yearsExperience: 12, timezone: "Europe/London", mentoringRole: .mentor, capacityMentees: capacity,
                    tags: [.expertise: [skills[index % skills.count]], .language: ["English"]]
                ).normalized(), manager: nil, for: try user.requireID(), on: app.db)
                mentorUsers.append(user)
            }
            for index in 0..<mentees {
                let user = try await PeopleStore.createPerson(email: "mentee\(index)@example.org", name: "Mentee \(index)", role: .participant, passwordHash: hash, on: app.db)
                try await PeopleStore.save(ProfileDraft(
                    name: user.name, department: "Sales", yearsExperience: 1, timezone: "Europe/London", mentoringRole: .mentee,
                    tags: [.development: [skills[index % skills.count]], .language: ["English"]]
                ).normalized(), manager: nil, for: try user.requireID(), on: app.db)
                menteeUsers.append(user)
            }
            let program = try await ProgramStore.create(ProgramDraft(name: "Choose your mentor", mode: .selfSelect, maximumOpenRequests: maximumOpenRequests, requestExpiryDays: 7), weights: MatchWeights(), by: nil, on: app.db)
            let id = try program.requireID()
            _ = try await ProgramStore.move(id, to: .enrolling, by: nil, on: app.db)
            try await ProgramStore.enrol(
                try mentorUsers.map { .init(userID: try $0.requireID(), role: .mentor, capacity: nil, statement: "") }
                    + menteeUsers.map { .init(userID: try $0.requireID(), role: .mentee, capacity: nil, statement: "") },
                in: id, selfJoined: false, by: nil, on: app.db
            )
            _ = try await ProgramStore.move(id, to: .matching, by: nil, on: app.db)
            return (id, mentorUsers, menteeUsers)
        }

        @Test func `a mentee asks, the mentor accepts, and the full mentor's other requests are declined kindly`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let (id, mentors, mentees) = try await Self.program(app, mentors: [1, 2], mentees: 3)
                let base = "/programs/\(id)"
                var first = Browser(app), second = Browser(app), mentor = Browser(app)
                try await first.signIn(mentees[0].email)
                try await second.signIn(mentees[1].email)
                try await mentor.signIn(mentors[0].email)

                // Suggestions, best first, with reasons: Mentee 0 develops Swift, Mentor 0's expertise.
                let suggestions = try await first.get("\(base)/mentors")
                #expect(suggestions.status == .ok)
                let text = suggestions.text
                let firstMentor = try #require(text.range(of: "Mentor 0")), secondMentor = try #require(text.range(of: "Mentor 1"))
                #expect(firstMentor.lowerBound < secondMentor.lowerBound && text.contains("covers 1 of"))
                let filtered = try await first.get("\(base)/mentors?q=design")
                #expect(!filtered.text.contains("Mentor 0</a>"), "searched by expertise")
                let profile = try await first.get("\(base)/mentors/\(try mentors[0].requireID())")
                #expect(profile.text.contains("Why this mentor") && profile.text.contains(HTML.escape("the program's managers may read it")))

                // Bad requests change nothing.
                let long = try await first.post("\(base)/requests", [("mentor", try mentors[0].requireID().uuidString), ("note", String(repeating: "n", count: 1_001))])
                #expect(long.status == .unprocessableEntity && long.text.contains("Note must be at most 1,000 characters"))
                let toMentee = try await first.post("\(base)/requests", [("mentor", try mentees[1].requireID().uuidString)])
                #expect(toMentee.status == .unprocessableEntity && toMentee.text.contains("not a mentor in this program"))
                #expect(try await mentor.get("\(base)/mentors").status == .forbidden, "a mentor does not choose mentors")
                var bob = Browser(app)
                try await bob.signIn(TestPeople.bob)
                #expect(try await bob.get("\(base)/mentors").status == .notFound, "another person's program is not shown")
                #expect(try await MentoringRequest.query(on: app.db).count() == 0)

                #expect(try await first.post("\(base)/requests", [("mentor", try mentors[0].requireID().uuidString), ("note", "I want to learn Swift")]).status == .ok)
                #expect(try await second.post("\(base)/requests", [("mentor", try mentors[0].requireID().uuidString)]).status == .ok)
                let twice = try await first.post("\(base)/requests", [("mentor", try mentors[0].requireID().uuidString)])
                #expect(twice.status == .unprocessableEntity && twice.text.contains("already asked this mentor"))

                #expect(try await second.get("/mentoring").text.contains("You asked <a"))
                #expect(try await mentor.get("/mentoring").text.contains("Mentee 0 asks you to be their mentor"))
                let inbox = try await mentor.get("\(base)/inbox")
                #expect(inbox.text.contains("Mentee 0") && inbox.text.contains("I want to learn Swift") && inbox.text.contains("Why you two"))
                #expect(try await InAppNotification.query(on: app.db).filter(\.$userID == mentors[0].requireID()).count() == 2)
                let request = try #require(try await MentoringRequest.query(on: app.db).filter(\.$menteeID == mentees[0].requireID()).first())
                // Only the mentor it was sent to can answer it.
                var otherMentor = Browser(app)
                try await otherMentor.signIn(mentors[1].email)
                #expect(try await otherMentor.post("\(base)/requests/\(try request.requireID())/accept").status == .notFound)

                let accepted = try await mentor.post("\(base)/requests/\(try request.requireID())/accept", [("message", "Happy to!")])
                #expect(accepted.status == .ok && accepted.text.contains("You are now full: 1 other request was declined kindly"))
                #expect(try await Mentorship.query(on: app.db).count() == 1)
                let declined = try #require(try await MentoringRequest.query(on: app.db).filter(\.$menteeID == mentees[1].requireID()).first())
                #expect(declined.requestState == .declined && declined.answer.contains("has filled every place"))
                let told = try await second.get("/notifications")
                #expect(told.text.contains("Mentor 0 is now full"))
                // Mentee 1 sees Mentor 0 full, and Mentor 1 first among those with a place.
                let next = try await second.get("\(base)/mentors")
                #expect(next.text.contains("Full"))
                // A full mentor's request answers with the waitlist; joining it.
                let full = try await second.post("\(base)/requests", [("mentor", try mentors[0].requireID().uuidString)])
                #expect(full.status == .conflict && full.text.contains("Join the waitlist"))
                #expect(try await second.post("\(base)/waitlist", [("mentor", try mentors[0].requireID().uuidString)]).status == .ok)
                #expect(try await second.post("\(base)/waitlist", [("mentor", try mentors[0].requireID().uuidString)]).status == .conflict)
                // The mentor makes room: the first on the waitlist is told.
                #expect(try await mentor.post("\(base)/capacity", [("capacity", "2")]).status == .ok)
                #expect(try await second.get("/notifications").text.contains("A place with Mentor 0 opened"))
                #expect(try await mentor.post("\(base)/capacity", [("capacity", "0")]).status == .unprocessableEntity)

                // The accepted mentee has a mentor, and cannot ask another.
                let again = try await first.post("\(base)/requests", [("mentor", try mentors[1].requireID().uuidString)])
                #expect(again.status == .unprocessableEntity && again.text.contains("already have a mentor"))
                #expect(try await first.get("/mentoring").text.contains("Your mentor: Mentor 0"))
                // The program manager sees the requests in numbers and what needs a nudge, never
                // who asked whom or what they wrote.
                var manager = Browser(app)
                try await manager.signIn(TestPeople.admin)
                let overview = try await manager.get("/programs/\(id)")
                let figures = try await SelfSelectStats.figures(for: try #require(try await Program.find(id, on: app.db)), on: app.db)
                #expect(figures == SelfSelectStats.Figures(accepted: 1, declined: 1, menteesMatched: 1, menteesIdle: 2, waitlistPlaces: 1))
                #expect(overview.text.contains("2 mentees have no mentor and no request waiting") && overview.text.contains("on waitlists"))
                #expect(!overview.text.contains("I want to learn Swift") && !overview.text.contains("Happy to!"))
                // The program can start now that it has a pair. A request still waiting is declined
                // and its mentee told; availability no longer changes.
                var third = Browser(app)
                try await third.signIn(mentees[2].email)
                #expect(try await third.post("\(base)/requests", [("mentor", try mentors[1].requireID().uuidString)]).status == .ok)
                #expect(try await ProgramStore.move(id, to: .active, by: nil, on: app.db).programState == .active)
                let closed = try #require(try await MentoringRequest.query(on: app.db).filter(\.$menteeID == mentees[2].requireID()).first())
                #expect(closed.requestState == .declined && closed.answer.contains("The program has started"))
                #expect(try await third.get("/notifications").text.contains("are closed"))
                #expect(try await mentor.post("\(base)/pause", [("paused", "on")]).status == .conflict)
                #expect(try await mentor.post("\(base)/capacity", [("capacity", "3")]).status == .unprocessableEntity)
                #expect(try await mentor.post("\(base)/pause", [("paused", "maybe")]).status == .unprocessableEntity)
            }
        }

        @Test func `requests past their days expire, the mentee is told, and they cannot be accepted`() async throws {
            try await withTrellis { app in
                let (id, mentors, mentees) = try await Self.program(app, mentors: [1], mentees: 2, maximumOpenRequests: 1)
                let long = Date().addingTimeInterval(-8 * 86_400)
                let old = try await Requests.create(program: id, mentee: try mentees[0].requireID(), mentor: try mentors[0].requireID(), note: "", now: long, on: app.db)
                // Before the job runs, an accept is already refused.
                await #expect(throws: ProgramStore.Refusal.self) {
                    _ = try await Requests.accept(try old.requireID(), by: try mentors[0].requireID(), message: "", on: app.db)
                }
                try await JobQueue.drain(app: app)
                #expect(try await MentoringRequest.find(old.requireID(), on: app.db)?.requestState == .expired)
                let notice = try #require(try await InAppNotification.query(on: app.db).filter(\.$userID == mentees[0].requireID()).first())
                #expect(notice.title.contains("expired") && notice.link.hasSuffix("/mentors"))
                // The expired request no longer counts against the mentee's open requests.
                _ = try await Requests.create(program: id, mentee: try mentees[0].requireID(), mentor: try mentors[0].requireID(), note: "", on: app.db)
                // A fresh request's expiry job is not due yet.
                try await JobQueue.drain(app: app)
                #expect(try await MentoringRequest.query(on: app.db).filter(\.$state == RequestState.pending.rawValue).count() == 1)
                // A paused mentor takes no new requests.
                try await Requests.setPaused(true, program: id, mentor: try mentors[0].requireID(), on: app.db)
                await #expect(throws: ProgramStore.Refusal.self) {
                    _ = try await Requests.create(program: id, mentee: try mentees[1].requireID(), mentor: try mentors[0].requireID(), note: "", on: app.db)
                }
            }
        }

        @Test func `a request to someone in one's reporting line is refused`() async throws {
            try await withTrellis { app in
                let (id, mentors, mentees) = try await Self.program(app, mentors: [2], mentees: 1)
                // The mentor manages the mentee's manager.
                let hash = try Bcrypt.hash(TestPeople.password, cost: 4)
                let middle = try await PeopleStore.createPerson(email: "middle@example.org", name: "Middle Manager", role: .participant, passwordHash: hash, on: app.db)
                try await PeopleStore.save(ProfileDraft(name: "Middle Manager", timezone: "Europe/London").normalized(), manager: .some(try mentors[0].requireID()), for: try middle.requireID(), on: app.db)
                var draft = try await PeopleStore.draft(for: mentees[0], on: app.db).0
                draft.capacityMentees = nil
                try await PeopleStore.save(draft, manager: .some(try middle.requireID()), for: try mentees[0].requireID(), on: app.db)
                do {
                    _ = try await Requests.create(program: id, mentee: try mentees[0].requireID(), mentor: try mentors[0].requireID(), note: "", on: app.db)
                    Issue.record("a request up the reporting line was accepted")
                } catch let refusal as ProgramStore.Refusal {
                    #expect(refusal.message.contains("reporting line"))
                }
            }
        }

        @Test func `200 accepts at once fill each mentor exactly to capacity and match no mentee twice`() async throws {
            try await withTrellis { app in
                let capacities = [1, 2, 3, 1, 2, 3, 1, 2]
                let (id, mentors, mentees) = try await Self.program(app, mentors: capacities, mentees: 40, maximumOpenRequests: 5)
                // Each mentee asks five mentors: 200 requests.
                var requests: [(request: UUID, mentor: UUID)] = []
                for (index, mentee) in mentees.enumerated() {
                    for offset in 0..<5 {
                        let mentor = mentors[(index + offset) % mentors.count]
                        let request = try await Requests.create(program: id, mentee: try mentee.requireID(), mentor: try mentor.requireID(), note: "", on: app.db)
                        requests.append((try request.requireID(), try mentor.requireID()))
                    }
                }
                #expect(requests.count == 200)
                let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                    for (request, mentor) in requests {
                        group.addTask {
                            do {
                                _ = try await Requests.accept(request, by: mentor, message: "", on: app.db)
                                return "accepted"
                            } catch let refusal as ProgramStore.Refusal {
                                return refusal.message
                            }
                        }
                    }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
                let mentorships = try await Mentorship.query(on: app.db).filter(\.$programID == id).all()
                #expect(outcomes.filter { $0 == "accepted" }.count == mentorships.count)
                #expect(mentorships.count == capacities.reduce(0, +), "every place filled: \(mentorships.count)")
                for (mentor, capacity) in zip(mentors, capacities) {
                    #expect(mentorships.filter { $0.mentorID == mentor.id }.count == capacity, "\(mentor.name)")
                }
                #expect(Set(mentorships.map(\.menteeID)).count == mentorships.count, "no mentee matched twice")
                // Every other accept got a reason a mentor can act on.
                let reasons = Set(outcomes.filter { $0 != "accepted" })
                #expect(reasons.allSatisfy {
                    $0.hasPrefix("You have no place left") || $0.hasPrefix("This request was declined") || $0.hasPrefix("The mentee withdrew") || $0.hasPrefix("This mentee has been matched")
                }, "\(reasons)")
                // Nothing is left pending with a full mentor.
                let stillPending = try await MentoringRequest.query(on: app.db).filter(\.$state == RequestState.pending.rawValue).count()
                #expect(stillPending == 0)
            }
        }
    }
}
