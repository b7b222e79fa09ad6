import Fluent
import Foundation
@testable import TrellisServer
import TrellisCore
import VaporTesting

/// A pair to work with: Alice (mentee) and Bob (mentor) in an active program, Carol and Dave a
/// pair of another mentorship in the same program, and Ada a program manager.
struct WorkspaceFixture {
    static let carol = "carol@example.org"
    static let dave = "dave@example.org"

    var admin: User
    var alice: UUID
    var bob: UUID
    var carol: UUID
    var dave: UUID
    var program: UUID
    var mentorship: UUID
    var otherMentorship: UUID

    var path: String { "/mentorships/\(mentorship.uuidString)" }
    static var today: CalendarDay { CalendarDay(Date(), in: TimeZone(identifier: "UTC")!) }
    static func day(_ offset: Int) -> String { today.adding(days: offset)!.description }

    static func make(_ app: Application, startedDaysAgo: Int = 0) async throws -> WorkspaceFixture {
        let people = try await TestPeople.create(on: app)
        let hash = try Bcrypt.hash(TestPeople.password, cost: 4)
        let carol = try await PeopleStore.createPerson(email: Self.carol, name: "Carol Chen", role: .participant, passwordHash: hash, on: app.db).requireID()
        let dave = try await PeopleStore.createPerson(email: Self.dave, name: "Dave Diaz", role: .participant, passwordHash: hash, on: app.db).requireID()
        let alice = try people.alice.requireID(), bob = try people.bob.requireID()
        try await PeopleStore.save(ProfileDraft(
            name: "Alice Ahmed", timezone: "UTC", mentoringRole: .mentee, meetingFrequency: .weekly, communicationMethods: [.video, .chat],
            careerGoals: "Lead a platform team within two years.", tags: [.development: ["Public speaking"]]
        ).normalized(), manager: nil, for: alice, on: app.db)
        let program = try await ProgramStore.create(ProgramDraft(name: "Spring cohort", purpose: "Grow the next engineering leads."), weights: .init(), by: people.admin, on: app.db).requireID()
        func pair(mentor: UUID, mentee: UUID) async throws -> UUID {
            let mentorship = Mentorship()
            mentorship.programID = program; mentorship.mentorID = mentor; mentorship.menteeID = mentee
            mentorship.state = MentorshipState.active.rawValue; mentorship.startedOn = day(-startedDaysAgo); mentorship.createdAt = Date()
            try await mentorship.create(on: app.db)
            return try mentorship.requireID()
        }
        return WorkspaceFixture(
            admin: people.admin, alice: alice, bob: bob, carol: carol, dave: dave, program: program,
            mentorship: try await pair(mentor: bob, mentee: alice), otherMentorship: try await pair(mentor: dave, mentee: carol)
        )
    }

    /// A filled agreement form (the fields a browser sends), with changes.
    static func form(basedOn: Int?, goals: String = "Lead a platform team.\nSpeak at the all-hands.", review: Int = 45, ends: Int = 150, methods: [String] = ["video", "chat"],
                     frequency: String = "biweekly", extra: [(String, String)] = []) -> [(String, String)] {
        [("based_on", basedOn.map(String.init) ?? ""), ("meeting_frequency", frequency)]
            + methods.map { ("communication_methods[]", $0) }
            + [("confidentiality", "What we say stays between us."), ("mentee_goals", goals), ("mentor_goals", "Practise coaching."),
               ("boundaries", "No calls after 18:00."), ("review_on", day(review)), ("ends_on", day(ends))] + extra
    }

    func browser(_ app: Application, _ email: String) async throws -> Browser {
        var browser = Browser(app)
        try await browser.signIn(email)
        return browser
    }
}
