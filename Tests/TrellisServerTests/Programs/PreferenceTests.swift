import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import TrellisMatching
import VaporTesting

extension ServerTests {
    /// Preference programs: shortlists and rankings in the browser, a stable run, who would
    /// refuse whom, and publishing.
    @Suite struct Preference {
        /// A preference program, enrolling: mentors of capacity one and mentees, all in different
        /// departments with no reporting lines, so that only the rankings decide.
        static func program(_ app: Application, mentors: Int, mentees: Int) async throws -> (program: UUID, mentors: [User], mentees: [User]) {
            let hash = try Bcrypt.hash(TestPeople.password, cost: 4)
            var mentorUsers: [User] = [], menteeUsers: [User] = []
            for index in 0..<mentors {
                let user = try await PeopleStore.createPerson(email: "mentor\(index)@example.org", name: "Mentor \(index)", role: .participant, passwordHash: hash, on: app.db)
                try await PeopleStore.save(ProfileDraft(
                    name: user.name, department: "Mentors \(index)", yearsExperience: 12, timezone: "Europe/London", mentoringRole: .mentor, capacityMentees: 1,
                    tags: [.expertise: ["Swift"], .language: ["English"]]
                ).normalized(), manager: nil, for: try user.requireID(), on: app.db)
                mentorUsers.append(user)
            }
            for index in 0..<mentees {
                let user = try await PeopleStore.createPerson(email: "mentee\(index)@example.org", name: "Mentee \(index)", role: .participant, passwordHash: hash, on: app.db)
                try await PeopleStore.save(ProfileDraft(
                    name: user.name, department: "Mentees \(index)", yearsExperience: 1, timezone: "Europe/London", mentoringRole: .mentee,
                    tags: [.development: ["Swift"], .language: ["English"]]
                ).normalized(), manager: nil, for: try user.requireID(), on: app.db)
                menteeUsers.append(user)
            }
            let program = try await ProgramStore.create(ProgramDraft(name: "Rank and match", mode: .preference), weights: MatchWeights(), by: nil, on: app.db)
            let id = try program.requireID()
            _ = try await ProgramStore.move(id, to: .enrolling, by: nil, on: app.db)
            try await ProgramStore.enrol(
                try mentorUsers.map { .init(userID: try $0.requireID(), role: .mentor, capacity: 1, statement: "") }
                    + menteeUsers.map { .init(userID: try $0.requireID(), role: .mentee, capacity: nil, statement: "") },
                in: id, selfJoined: false, by: nil, on: app.db
            )
            return (id, mentorUsers, menteeUsers)
        }

        static func ranking(of user: User, in program: UUID, on db: any Database) async throws -> [String] {
            try await Rankings.list(of: try user.requireID(), in: program, on: db).map(\.name)
        }

        @Test func `both sides rank in the browser, a stable run follows the rankings and says who would refuse whom`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let (id, m, e) = try await Self.program(app, mentors: 3, mentees: 4)
                let base = "/programs/\(id)/rankings"
                var browsers: [String: Browser] = [:]
                for user in m + e {
                    var browser = Browser(app)
                    try await browser.signIn(user.email)
                    browsers[user.email] = browser
                }
                func add(_ who: User, _ person: User) async throws -> TestingHTTPResponse {
                    try await browsers[who.email]!.post(base, [("person", try person.requireID().uuidString)])
                }
                // A mentee's page: suggestions with scores and reasons, an empty shortlist.
                let first = try await browsers[e[0].email]!.get(base)
                #expect(first.status == .ok && first.text.contains("Your shortlist of mentors") && first.text.contains("Suggested mentors"))
                #expect(first.text.contains("Mentor 0") && first.text.contains("Match <strong>") && first.text.contains("Nobody yet."))
                #expect(first.text.contains("sees that you chose them"), "the mentee is told what a mentor sees")

                // Shortlists. Mentee 0: Mentor 0, Mentor 1. Mentee 1: Mentor 0, Mentor 2.
                // Mentee 2: Mentor 1. Mentee 3: Mentor 2.
                for (mentee, mentors) in [(0, [0, 1]), (1, [0, 2]), (2, [1]), (3, [2])] {
                    for mentor in mentors { #expect(try await add(e[mentee], m[mentor]).status == .seeOther) }
                }
                #expect(try await Self.ranking(of: e[0], in: id, on: app.db) == ["Mentor 0", "Mentor 1"])
                // Bad additions are refused with the reason and change nothing.
                let mentee = try await add(e[0], e[1])
                #expect(mentee.status == .unprocessableEntity && mentee.text.contains("This person is not a mentor in this program."))
                let again = try await add(e[0], m[0])
                #expect(again.status == .unprocessableEntity && again.text.contains("already in your ranking"))
                let outsider = try await browsers[e[0].email]!.post(base, [("person", UUID().uuidString)])
                #expect(outsider.status == .unprocessableEntity && outsider.text.contains("not a mentor in this program"))
                let blank = try await browsers[e[0].email]!.post(base, [("person", "x")])
                #expect(blank.status == .unprocessableEntity && blank.text.contains("Person: choose someone"))
                // A mentor ranks only mentees who chose them.
                let notChosen = try await add(m[2], e[0])
                #expect(notChosen.status == .unprocessableEntity && notChosen.text.contains("only mentees who put you on their shortlist"))
                #expect(try await Self.ranking(of: e[0], in: id, on: app.db) == ["Mentor 0", "Mentor 1"])

                // Moving and removing keep ranks 1…n.
                // Post, then redirect: the page after a move says where the person now is, and
                // reloading it moves nobody.
                let movedUp = try await browsers[e[0].email]!.post("\(base)/\(try m[1].requireID())/up")
                #expect(movedUp.status == .seeOther)
                let after = try await browsers[e[0].email]!.get(try #require(movedUp.location))
                #expect(after.text.contains("Moved up: Mentor 1 is now your 1st choice."))
                #expect(try await browsers[e[0].email]!.get(try #require(movedUp.location)).status == .ok)
                #expect(try await Self.ranking(of: e[0], in: id, on: app.db) == ["Mentor 1", "Mentor 0"])
                let version = try #require(try await Program.find(id, on: app.db)).rosterVersion
                let atTop = try await browsers[e[0].email]!.post("\(base)/\(try m[1].requireID())/up")
                #expect(try await browsers[e[0].email]!.get(try #require(atTop.location)).text.contains("Mentor 1 is already your first choice."))
                #expect(try await Program.find(id, on: app.db)?.rosterVersion == version, "a move that changes nothing leaves runs current")
                #expect(try await browsers[e[0].email]!.post("\(base)/\(try m[1].requireID())/down").status == .seeOther)
                #expect(try await Self.ranking(of: e[0], in: id, on: app.db) == ["Mentor 0", "Mentor 1"])
                #expect(try await browsers[e[0].email]!.post("\(base)/\(try m[2].requireID())/remove").status == .notFound)

                // A mentor's page: the mentees who chose them, with where they put the mentor.
                let mentorPage = try await browsers[m[0].email]!.get(base)
                #expect(mentorPage.text.contains("Rank the mentees who chose you") && mentorPage.text.contains("Mentee 0") && mentorPage.text.contains("Mentee 1"))
                #expect(mentorPage.text.contains("They put you 1st on their shortlist."))
                #expect(!mentorPage.text.contains("Mentee 2"), "a mentor sees only the mentees who chose them")
                // Mentor 0: Mentee 1, Mentee 0. Mentor 1: Mentee 0, Mentee 2. Mentor 2: Mentee 1 only.
                for (mentor, mentees) in [(0, [1, 0]), (1, [0, 2]), (2, [1])] {
                    for mentee in mentees { #expect(try await add(m[mentor], e[mentee]).status == .seeOther) }
                }
                // A mentee who drops a mentor leaves that mentor's ranking, and the counts follow.
                #expect(try await add(e[2], m[0]).status == .seeOther)
                #expect(try await add(m[0], e[2]).status == .seeOther)
                #expect(try await Self.ranking(of: m[0], in: id, on: app.db) == ["Mentee 1", "Mentee 0", "Mentee 2"])
                #expect(try await browsers[e[2].email]!.post("\(base)/\(try m[0].requireID())/remove").status == .seeOther)
                #expect(try await Self.ranking(of: m[0], in: id, on: app.db) == ["Mentee 1", "Mentee 0"])
                let counted = try #require(try await Program.find(id, on: app.db))
                #expect(counted.menteesRanked == 4 && counted.mentorsRanked == 3)

                // The manager sees numbers, never who ranked whom.
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let manager = try await admin.get("/programs/\(id)")
                #expect(manager.text.contains("4 of 4 mentees have a shortlist") && manager.text.contains("3 of 3 mentors have ranked"))
                #expect(try await admin.get(base).status == .forbidden)

                // Closing enrolment closes the rankings.
                #expect(try await admin.post("/admin/programs/\(id)/state", [("to", "matching")]).status == .ok)
                let closed = try await add(e[3], m[0])
                #expect(closed.status == .conflict && closed.text.contains("The rankings are closed"))
                #expect(try await browsers[e[3].email]!.get(base).text.contains("The rankings are closed"))

                // The stable run: Mentee 1 with Mentor 0 (both first choices), Mentee 0 with
                // Mentor 1 (Mentor 0 prefers Mentee 1); Mentee 2 loses Mentor 1 to Mentee 0;
                // Mentee 3 chose Mentor 2, who did not rank them.
                let runs = "/admin/programs/\(id)/runs"
                #expect(try await admin.post(runs).status == .seeOther)
                try await JobQueue.drain(app: app)
                let result = try await admin.get("\(runs)/1")
                #expect(result.status == .ok && result.text.contains("of 4 mentees matched") && result.text.contains("This match is stable"))
                let run = try #require(try await MatchRun.query(on: app.db).filter(\.$programID == id).first())
                #expect(run.runAlgorithm == .stable && run.provenOptimal && run.matched == 2)
                let pairs = try await ServerTests.MatchRuns.pairs(of: 1, in: id, on: app.db)
                #expect(pairs == [try e[1].requireID(): try m[0].requireID(), try e[0].requireID(): try m[1].requireID()])
                let unmatched = try await admin.get("\(runs)/1?show=unmatched")
                #expect(unmatched.text.contains("No mentor this mentee ranked also ranked them"))
                #expect(unmatched.text.contains(HTML.escape("No mentor who ranked this mentee, and whom the mentee ranked, had room for them.")))

                // Who would refuse whom.
                func whyNot(_ mentee: User, _ mentor: User) async throws -> String {
                    try await admin.get("/admin/programs/\(id)/why-not?mentee=\(mentee.email)&mentor=\(mentor.email)").text
                }
                #expect(try await whyNot(e[0], m[0]).contains(HTML.escape("Mentor 0 would refuse Mentee 0: Mentor 0's only place is taken by a mentee they ranked higher — Mentee 1 (1st) — and Mentee 0 is their 2nd.")))
                #expect(try await whyNot(e[1], m[2]).contains(HTML.escape("Mentee 1 would refuse Mentor 2: Mentee 1 is paired with Mentor 0, their 1st choice, above Mentor 2 (their 2nd).")))
                #expect(try await whyNot(e[3], m[2]).contains("Mentor 2 did not rank Mentee 3."))
                #expect(try await whyNot(e[2], m[2]).contains("Mentee 2 did not put Mentor 2 on their shortlist."))

                // Publishing makes the pairs mentorships and tells both people.
                let published = try await admin.post("\(runs)/1/publish")
                #expect(published.status == .ok || published.status == .seeOther)
                #expect(try await Mentorship.query(on: app.db).filter(\.$programID == id).count() == 2)
                #expect(try await Program.find(id, on: app.db)?.programState == .active)
                let rankingsAfter = try await add(e[3], m[0])
                #expect(rankingsAfter.status == .conflict && rankingsAfter.text.contains("can no longer change"))
            }
        }

        @Test func `a ranking's rules hold: the shortlist's size, the program's hard rules, and leaving the program`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let (id, m, e) = try await Self.program(app, mentors: 12, mentees: 2)
                let mentee = try e[0].requireID()
                for mentor in m.prefix(RankingRules.menteeShortlistMaximum) {
                    try await Rankings.change(.add(try mentor.requireID()), ranker: mentee, program: id, on: app.db)
                }
                await #expect(throws: ProgramStore.Refusal("person", "Your shortlist has 10 mentors, the most it can hold: remove one first.")) {
                    try await Rankings.change(.add(try m[10].requireID()), ranker: mentee, program: id, on: app.db)
                }
                // A mentor in the mentee's reporting line cannot be ranked.
                let boss = try m[11].requireID()
                try await PeopleStore.save(ProfileDraft(
                    name: e[1].name, department: "Mentees 1", yearsExperience: 1, timezone: "Europe/London", mentoringRole: .mentee, tags: [.development: ["Swift"]]
                ).normalized(), manager: boss, for: try e[1].requireID(), on: app.db)
                do {
                    try await Rankings.change(.add(boss), ranker: try e[1].requireID(), program: id, on: app.db)
                    Issue.record("a manager was ranked")
                } catch let refusal as ProgramStore.Refusal {
                    #expect(refusal.message.contains("This pair cannot be made in this program") && refusal.message.contains("reporting line"), "\(refusal.message)")
                }
                // Mentor 0 ranks Mentee 0; when Mentor 0 leaves, they leave Mentee 0's shortlist
                // (ranks closed up) and their own ranking goes.
                try await Rankings.change(.add(mentee), ranker: try m[0].requireID(), program: id, on: app.db)
                #expect(try await Program.find(id, on: app.db)?.mentorsRanked == 1)
                try await ProgramStore.withdraw(try m[0].requireID(), from: id, by: m[0], on: app.db)
                let left = try await Rankings.list(of: mentee, in: id, on: app.db)
                #expect(left.map(\.name) == (1..<10).map { "Mentor \($0)" } && left.map(\.rank) == Array(1...9))
                let program = try #require(try await Program.find(id, on: app.db))
                #expect(program.mentorsRanked == 0 && program.menteesRanked == 1)
                #expect(try await RankingEntry.query(on: app.db).filter(\.$rankerID == m[0].requireID()).count() == 0)
            }
        }
    }
}

extension ServerTests.Programs {
    @Test func `a manager enrols everyone a directory filter finds, after a preview, leaving out who cannot be`() async throws {
        try await withTrellis { app in
            try await TestPeople.create(on: app)
            let (_, _, mentees) = try await ServerTests.Preference.program(app, mentors: 2, mentees: 3)
            let program = try await ProgramStore.create(ProgramDraft(name: "Everyone in"), weights: MatchWeights(), by: nil, on: app.db)
            let id = try program.requireID()
            var admin = Browser(app)
            try await admin.signIn(TestPeople.admin)
            let base = "/admin/programs/\(id)/participants/directory"
            #expect(try await admin.get("/admin/programs/\(id)/participants").text.contains("Enrol from the directory"))
            _ = try await ProgramStore.move(id, to: .enrolling, by: nil, on: app.db)
            // One of them is enrolled already; the preview says so and names the rest.
            try await ProgramStore.enrol([.init(userID: try mentees[0].requireID(), role: .mentee, capacity: nil, statement: "")], in: id, selfJoined: false, by: nil, on: app.db)
            let preview = try await admin.get("\(base)?mentoring_role=mentee&as=mentee")
            #expect(preview.status == .ok && preview.text.contains("Enrol 2 people as mentees?") && preview.text.contains("1 of them is in this program already"))
            // A mentee has no capacity to mentor: enrolling them as a mentor leaves them out, and
            // with nobody left it is refused and changes nothing.
            #expect(try await admin.get("\(base)?department=Mentees+1&as=mentor").text.contains("no mentoring capacity on their profile"))
            let refused = try await admin.post(base, [("department", "Mentees 1"), ("as", "mentor")])
            #expect(refused.status == .conflict && refused.text.contains("Nobody left to enrol"))
            #expect(preview.text.contains("Mentee 1") && preview.text.contains("Mentee 2") && preview.text.contains("who wants a mentor"))
            #expect(try await admin.get("\(base)?as=king").status == .unprocessableEntity)
            #expect(try await admin.get("\(base)?mentoring_role=guru&as=mentee").status == .unprocessableEntity)
            let enrolled = try await admin.post(base, [("mentoring_role", "mentee"), ("as", "mentee"), ("department", ""), ("tag", ""), ("timezone", "")])
            #expect(enrolled.status == .created && enrolled.text.contains("Enrolled 2 people as mentees"))
            #expect(try await Program.find(id, on: app.db)?.menteeCount == 3)
            #expect(try await admin.get("\(base)?mentoring_role=mentee&as=mentee").text.contains("Nobody to enrol"))
            // A mentor's department, as mentees: a person may be mentored in one program and
            // mentor in another.
            #expect(try await admin.post(base, [("department", "Mentors 0"), ("as", "mentee")]).status == .created)
            #expect(try await Program.find(id, on: app.db)?.menteeCount == 4)
            let again = try await admin.post(base, [("department", "Mentors 0"), ("as", "mentee")])
            #expect(again.status == .conflict && again.text.contains("Nobody left to enrol"))
            let final = try #require(try await Program.find(id, on: app.db))
            #expect(final.menteeCount == 4 && final.mentorCount == 0)
        }
    }
}
