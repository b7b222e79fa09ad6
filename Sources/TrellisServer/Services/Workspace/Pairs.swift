import Fluent
import FluentSQL
import Foundation
import TrellisCore
import Vapor

/// A mentorship as one of its two people sees it. The one way workspace code reaches a
/// mentorship: anyone else, a program manager included, gets the answer for a mentorship that
/// does not exist, so that the pair's shared content cannot leak through a page, the API or an
/// error message.
struct PairView: Sendable {
    var id: UUID
    var programID: UUID
    var programName: String
    var programPurpose: String
    var programEnds: CalendarDay?
    /// The program's setting: false when its pairs meet only outside Trellis.
    var meetingsInTrellis: Bool
    var mentorID: UUID
    var menteeID: UUID
    var mentorName: String
    var menteeName: String
    var state: MentorshipState
    var startedOn: CalendarDay
    /// Who is looking, and which of the pair they are.
    var me: UUID
    var side: PairSide
    /// The viewer's time zone (their profile's, else UTC): "today" and times are theirs.
    var timeZone: TimeZone

    var otherID: UUID { side == .mentor ? menteeID : mentorID }
    var otherName: String { side == .mentor ? menteeName : mentorName }
    var myName: String { side == .mentor ? mentorName : menteeName }
    func name(of side: PairSide) -> String { side == .mentor ? mentorName : menteeName }
    func id(of side: PairSide) -> UUID { side == .mentor ? mentorID : menteeID }
    /// Which of the pair `person` is (the mentee for anyone who is not the mentor: records of a
    /// pair are written by its two people only).
    func side(of person: UUID) -> PairSide { person == mentorID ? .mentor : .mentee }
    /// A person of the pair by name; "Someone" for anyone else (or nobody).
    func name(of person: UUID?) -> String { person == mentorID ? mentorName : person == menteeID ? menteeName : "Someone" }
    var today: CalendarDay { CalendarDay(Date(), in: timeZone) }
    var path: String { "/mentorships/\(id.uuidString)" }
}

enum Pairs {
    struct NotFound: Error {}

    static let notFoundMessage = "There is no such mentorship."

    /// The mentorship `id` as `viewer` sees it, or `NotFound` unless they are its mentor or mentee.
    static func view(_ id: UUID?, for viewer: UUID, on db: any Database) async throws -> PairView {
        guard let id, let mentorship = try await Mentorship.find(id, on: db), mentorship.mentorID == viewer || mentorship.menteeID == viewer,
              let program = try await Program.find(mentorship.programID, on: db)
        else { throw NotFound() }
        let people = try await User.query(on: db).filter(\.$id ~~ [mentorship.mentorID, mentorship.menteeID]).all()
        let name = { (id: UUID) in people.first { $0.id == id }?.name ?? "Someone" }
        let zone = try await Profile.timeZone(of: viewer, on: db)
        let started = CalendarDay(mentorship.startedOn) ?? CalendarDay(mentorship.createdAt, in: TimeZone(identifier: "UTC")!)
        return PairView(
            id: id, programID: program.id ?? mentorship.programID, programName: program.name, programPurpose: program.purpose,
            programEnds: program.ends.flatMap(CalendarDay.init), meetingsInTrellis: program.meetingsInTrellis, mentorID: mentorship.mentorID, menteeID: mentorship.menteeID,
            mentorName: name(mentorship.mentorID), menteeName: name(mentorship.menteeID),
            state: MentorshipState(rawValue: mentorship.state) ?? .active, startedOn: started,
            me: viewer, side: mentorship.mentorID == viewer ? .mentor : .mentee, timeZone: zone
        )
    }

    /// The mentorship of the request's `:id` as the signed-in person sees it; 404 "There is no
    /// such mentorship." for anyone but its pair, the same as for an id that does not exist (the
    /// one answer of every workspace page and API operation).
    static func view(_ req: Request) async throws -> PairView {
        let viewer = try req.requireUser().requireID()
        do {
            return try await view(req.idParameter, for: viewer, on: req.db)
        } catch is NotFound {
            throw Abort(.notFound, reason: notFoundMessage)
        }
    }

    /// Holds the mentorship's row until the transaction ends (PostgreSQL; SQLite has one
    /// writer at a time already), so that two changes to one pair's workspace take turns and
    /// each checks the facts the other left. Returns its state as it is now.
    static func lock(_ id: UUID, on tx: any Database) async throws -> MentorshipState {
        if let sql = tx as? any SQLDatabase, SearchIndex.isPostgres(sql) {
            try await sql.raw("SELECT id FROM mentorships WHERE id = \(bind: id) FOR UPDATE").run()
        }
        guard let mentorship = try await Mentorship.find(id, on: tx) else { throw NotFound() }
        return MentorshipState(rawValue: mentorship.state) ?? .active
    }

    /// Refuses a change to a mentorship that has concluded (its workspace stays readable).
    static func requireOpen(_ state: MentorshipState) throws {
        if state == .concluded {
            throw ProgramStore.Refusal("mentorship", "This mentorship has concluded: its workspace can be read but no longer changed.")
        }
    }

    /// Records what happened, for the timeline.
    static func record(_ kind: TimelineKind, in mentorship: UUID, by actor: UUID?, subject: String, now: Date, on tx: any Database) async throws {
        try await MentorshipEvent(mentorshipID: mentorship, kind: kind, actorID: actor, subject: subject, now: now).create(on: tx)
    }

    /// Tells the other person of the pair.
    static func notify(_ pair: PairView, title: String, body: String, link: String, kind: String, now: Date, on tx: any Database) async throws {
        try await InAppNotification(userID: pair.otherID, kind: kind, title: title, body: body, link: link, now: now).create(on: tx)
    }
}
