import Fluent
import Foundation
import TrellisCore
import TrellisMatching
import Vapor

/// Self-select programs: mentees find mentors and ask them; mentors answer in their inbox.
enum SelfSelectController {
    static func register(_ routes: any RoutesBuilder) {
        routes.get("programs", ":id", "mentors", use: mentors)
        routes.get("programs", ":id", "mentors", ":mentor", use: mentor)
        routes.post("programs", ":id", "requests", use: request)
        routes.post("programs", ":id", "requests", ":request", "withdraw", use: withdraw)
        routes.get("programs", ":id", "inbox", use: inbox)
        routes.post("programs", ":id", "requests", ":request", "accept", use: accept)
        routes.post("programs", ":id", "requests", ":request", "decline", use: decline)
        routes.post("programs", ":id", "waitlist", use: joinWaitlist)
        routes.post("programs", ":id", "waitlist", ":place", "leave", use: leaveWaitlist)
        routes.post("programs", ":id", "pause", use: pause)
        routes.post("programs", ":id", "capacity", use: capacity)
    }

    /// The program and the viewer's enrolment in the role a page needs: 404 when the program is
    /// not theirs to see, 403 when they are not in it in that role.
    static func enrolled(_ req: Request, as role: ProgramRole) async throws -> (PageContext.Viewer, Program, Enrolment) {
        let user = try req.requireUser()
        guard let viewer = user.viewer else { throw Abort(.unauthorized) }
        let (program, enrolment) = try await ProgramsController.visibleProgram(req, viewer: viewer)
        guard program.matchingMode == .selfSelect else { throw Abort(.notFound, reason: "In this program the program manager makes the pairs.") }
        guard let enrolment, enrolment.programRole == role else {
            throw Abort(.forbidden, reason: role == .mentee ? "Only the program's mentees choose mentors." : "Only the program's mentors have an inbox.")
        }
        return (viewer, program, enrolment)
    }

    struct MentorsQuery: Sendable {
        var search: String
        var department: String
    }

    /// The suggestions page, with the mentee's requests and waitlist places.
    static func mentorsPage(_ req: Request, viewer: PageContext.Viewer, program: Program, notice: String? = nil, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let programID = try program.requireID()
        let search = Tags.key(((try? req.query.get(String.self, at: "q")) ?? "").scalarPrefix(100))
        let department = TextInput.line((try? req.query.get(String.self, at: "department")) ?? "").scalarPrefix(ProfileRules.department.maximum)
        let all = try await Suggestions.mentors(for: viewer.id, in: program, on: req.db)
        let filtered = all.filter { mentor in
            (department.isEmpty || mentor.department == department)
                && (search.isEmpty || Tags.key(mentor.name).contains(search) || mentor.expertise.contains { Tags.key($0).contains(search) })
        }
        let view = try await SelfSelectPages.MentorsView(
            program: ProgramsController.summary(program, myRole: .mentee, canJoin: false), suggestions: Array(filtered.prefix(50)), total: filtered.count,
            search: search, department: department, departments: Array(Set(all.map(\.department).filter { !$0.isEmpty })).sorted(),
            requests: myRequests(mentee: viewer.id, program: programID, on: req.db), waitlist: myWaitlist(mentee: viewer.id, program: programID, on: req.db),
            maximumOpenRequests: program.maximumOpenRequests,
            matchedWith: matchedWith(mentee: viewer.id, program: programID, on: req.db), notice: notice, error: error
        )
        return try await HTMLPage(status: status, html: SelfSelectPages.mentors(req.page, view)).encodeResponse(for: req)
    }

    static func matchedWith(mentee: UUID, program: UUID, on db: any Database) async throws -> String? {
        guard let mentorship = try await Mentorship.query(on: db).filter(\.$programID == program).filter(\.$menteeID == mentee).first() else { return nil }
        return try await User.find(mentorship.mentorID, on: db)?.name
    }

    static func myRequests(mentee: UUID, program: UUID, on db: any Database) async throws -> [SelfSelectPages.RequestItem] {
        let requests = try await MentoringRequest.query(on: db).filter(\.$programID == program).filter(\.$menteeID == mentee)
            .sort(\.$createdAt, .descending).limit(50).all()
        let names = try await names(of: requests.map(\.mentorID), on: db)
        return requests.compactMap { request in
            request.id.map {
                SelfSelectPages.RequestItem(
                    id: $0, otherID: request.mentorID, otherName: names[request.mentorID] ?? "A mentor", note: request.note,
                    state: effectiveState(request), answer: request.answer, createdAt: request.createdAt, expiresAt: request.expiresAt
                )
            }
        }
    }

    /// A pending request past its day reads as expired, even before the expiry job has run.
    static func effectiveState(_ request: MentoringRequest, now: Date = Date()) -> RequestState {
        request.requestState == .pending && RequestRules.isExpired(expiresAt: request.expiresAt, now: now) ? .expired : request.requestState
    }

    /// The mentee's waitlist places, each with how many are ahead, in one read.
    static func myWaitlist(mentee: UUID, program: UUID, on db: any Database) async throws -> [SelfSelectPages.WaitlistItem] {
        let rows = try await PlainRows.all("""
            SELECT w.id, w.mentor_id, w.notified_at, u.name AS mentor_name,
                   (SELECT COUNT(*) FROM waitlist_places x WHERE x.program_id = w.program_id AND x.mentor_id = w.mentor_id AND x.created_at < w.created_at) AS ahead
            FROM waitlist_places w JOIN users u ON u.id = w.mentor_id
            WHERE w.program_id = \(bind: program) AND w.mentee_id = \(bind: mentee) ORDER BY w.created_at LIMIT 100
            """, on: db)
        return try rows.map { row in
            SelfSelectPages.WaitlistItem(
                id: try row.uuid("id"), mentorID: try row.uuid("mentor_id"), mentorName: try row.string("mentor_name"),
                ahead: try row.int("ahead"), placeOpened: try row.optionalDate("notified_at") != nil
            )
        }
    }

    static func names(of ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return Dictionary(try await User.query(on: db).filter(\.$id ~~ unique).all().compactMap { user in user.id.map { ($0, user.name) } }, uniquingKeysWith: { a, _ in a })
    }

    @Sendable static func mentors(_ req: Request) async throws -> Response {
        let (viewer, program, _) = try await enrolled(req, as: .mentee)
        return try await mentorsPage(req, viewer: viewer, program: program)
    }

    /// One mentor for the mentee: their profile in short, why this mentor, and the request form
    /// (or the waitlist when they are full).
    static func mentorPage(_ req: Request, viewer: PageContext.Viewer, program: Program, mentorID: UUID, note: String = "", error: String? = nil, notice: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let programID = try program.requireID()
        guard let enrolment = try await ProgramStore.enrolment(of: mentorID, in: programID, on: req.db), enrolment.programRole == .mentor,
              let stored = try await PeopleStore.person(mentorID, on: req.db)
        else { throw Abort(.notFound, reason: "This person is not a mentor in this program.") }
        let check = try await MatchRuns.check(program: program, mentee: viewer.id, mentor: mentorID, on: req.db)
        let capacity = try await Requests.capacity(of: enrolment, on: req.db)
        let taken = try await Requests.taken(mentor: mentorID, program: programID, on: req.db)
        let tags = try await PeopleStore.tags(of: [mentorID], on: req.db)[mentorID] ?? [:]
        let pending = try await MentoringRequest.query(on: req.db).filter(\.$programID == programID).filter(\.$menteeID == viewer.id)
            .filter(\.$mentorID == mentorID).filter(\.$state == RequestState.pending.rawValue).first()
        let waiting = try await WaitlistPlace.query(on: req.db).filter(\.$programID == programID).filter(\.$menteeID == viewer.id).filter(\.$mentorID == mentorID).first()
        let view = SelfSelectPages.MentorView(
            program: try ProgramsController.summary(program, myRole: .mentee, canJoin: false), mentorID: mentorID, name: stored.user.name,
            headline: stored.profile.headline, bio: stored.profile.bio, department: stored.profile.department, expertise: tags[.expertise] ?? [],
            check: check, placesLeft: max(0, capacity - taken), capacity: capacity, paused: enrolment.paused, alreadyAsked: pending != nil,
            onWaitlist: waiting != nil, matchedWith: try await matchedWith(mentee: viewer.id, program: programID, on: req.db), note: note, error: error, notice: notice
        )
        return try await HTMLPage(status: status, html: SelfSelectPages.mentor(req.page, view)).encodeResponse(for: req)
    }

    @Sendable static func mentor(_ req: Request) async throws -> Response {
        let (viewer, program, _) = try await enrolled(req, as: .mentee)
        guard let mentorID = req.parameters.get("mentor").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound, reason: "This person is not a mentor in this program.") }
        return try await mentorPage(req, viewer: viewer, program: program, mentorID: mentorID)
    }

    struct RequestInput: Content {
        var mentor: String?
        var note: String?
        var message: String?
    }

    @Sendable static func request(_ req: Request) async throws -> Response {
        let (viewer, program, _) = try await enrolled(req, as: .mentee)
        let input = try req.content.decode(RequestInput.self)
        guard let mentorID = input.mentor.flatMap(UUID.init(uuidString:)) else {
            return try await mentorsPage(req, viewer: viewer, program: program, error: "Choose a mentor to ask.", status: .unprocessableEntity)
        }
        do {
            _ = try await Requests.create(program: try program.requireID(), mentee: viewer.id, mentor: mentorID, note: input.note ?? "", on: req.db)
            return try await mentorsPage(req, viewer: viewer, program: program, notice: "Your request was sent. You will be told when they answer.")
        } catch is Requests.MentorFull {
            return try await mentorPage(req, viewer: viewer, program: program, mentorID: mentorID, note: input.note ?? "",
                error: RequestRules.Refusal.mentorFull.message, status: .conflict)
        } catch let refusal as ProgramStore.Refusal {
            if try await ProgramStore.enrolment(of: mentorID, in: try program.requireID(), on: req.db)?.programRole == .mentor {
                return try await mentorPage(req, viewer: viewer, program: program, mentorID: mentorID, note: input.note ?? "", error: refusal.message, status: .unprocessableEntity)
            }
            return try await mentorsPage(req, viewer: viewer, program: program, error: refusal.message, status: .unprocessableEntity)
        }
    }

    @Sendable static func withdraw(_ req: Request) async throws -> Response {
        let (viewer, program, _) = try await enrolled(req, as: .mentee)
        guard let id = req.parameters.get("request").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound, reason: "There is no such request.") }
        do {
            try await Requests.withdraw(id, by: viewer.id, on: req.db)
        } catch is ProgramStore.NotFound {
            throw Abort(.notFound, reason: "There is no such request.")
        } catch let refusal as ProgramStore.Refusal {
            return try await mentorsPage(req, viewer: viewer, program: program, error: refusal.message, status: .conflict)
        }
        return try await mentorsPage(req, viewer: viewer, program: program, notice: "Your request was withdrawn.")
    }

    // MARK: The mentor's inbox

    static func inboxPage(_ req: Request, viewer: PageContext.Viewer, program: Program, enrolment: Enrolment, notice: String? = nil, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let programID = try program.requireID()
        let pending = try await MentoringRequest.query(on: req.db).filter(\.$programID == programID).filter(\.$mentorID == viewer.id)
            .filter(\.$state == RequestState.pending.rawValue).sort(\.$createdAt).limit(100).all()
            .filter { effectiveState($0) == .pending }
        let names = try await names(of: pending.map(\.menteeID), on: req.db)
        var items: [SelfSelectPages.InboxItem] = []
        for request in pending {
            guard let id = request.id else { continue }
            let check = try await MatchRuns.check(program: program, mentee: request.menteeID, mentor: viewer.id, on: req.db)
            items.append(.init(id: id, menteeID: request.menteeID, menteeName: names[request.menteeID] ?? "A mentee", note: request.note, createdAt: request.createdAt,
                               expiresAt: request.expiresAt, score: check.score, reasons: check.reasons))
        }
        let mentorships = try await Mentorship.query(on: req.db).filter(\.$programID == programID).filter(\.$mentorID == viewer.id).all()
        let menteeNames = try await Self.names(of: mentorships.map(\.menteeID), on: req.db)
        let capacity = try await Requests.capacity(of: enrolment, on: req.db)
        let view = SelfSelectPages.InboxView(
            program: try ProgramsController.summary(program, myRole: .mentor, canJoin: false), requests: items,
            mentees: mentorships.compactMap { mentorship in mentorship.id.map { ($0, menteeNames[mentorship.menteeID] ?? "A mentee") } },
            capacity: capacity, paused: enrolment.paused,
            waitlist: try await WaitlistPlace.query(on: req.db).filter(\.$programID == programID).filter(\.$mentorID == viewer.id).count(),
            notice: notice, error: error
        )
        return try await HTMLPage(status: status, html: SelfSelectPages.inbox(req.page, view)).encodeResponse(for: req)
    }

    @Sendable static func inbox(_ req: Request) async throws -> Response {
        let (viewer, program, enrolment) = try await enrolled(req, as: .mentor)
        return try await inboxPage(req, viewer: viewer, program: program, enrolment: enrolment)
    }

    @Sendable static func accept(_ req: Request) async throws -> Response {
        try await answer(req, accepting: true)
    }

    @Sendable static func decline(_ req: Request) async throws -> Response {
        try await answer(req, accepting: false)
    }

    static func answer(_ req: Request, accepting: Bool) async throws -> Response {
        let (viewer, program, enrolment) = try await enrolled(req, as: .mentor)
        guard let id = req.parameters.get("request").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound, reason: "There is no such request.") }
        let input = try req.content.decode(RequestInput.self)
        do {
            if accepting {
                let accepted = try await Requests.accept(id, by: viewer.id, message: input.message ?? "", on: req.db)
                let fresh = try await ProgramStore.enrolment(of: viewer.id, in: try program.requireID(), on: req.db) ?? enrolment
                let full = accepted.declinedBecauseFull > 0 ? " You are now full: \(accepted.declinedBecauseFull) other request\(accepted.declinedBecauseFull == 1 ? " was" : "s were") declined kindly, and those mentees were shown other mentors." : ""
                return try await inboxPage(req, viewer: viewer, program: program, enrolment: fresh, notice: "You accepted the request: you are now paired.\(full)")
            }
            try await Requests.decline(id, by: viewer.id, message: input.message ?? "", on: req.db)
            return try await inboxPage(req, viewer: viewer, program: program, enrolment: enrolment, notice: "You declined the request; the mentee was told.")
        } catch is ProgramStore.NotFound {
            throw Abort(.notFound, reason: "There is no such request.")
        } catch let refusal as ProgramStore.Refusal {
            return try await inboxPage(req, viewer: viewer, program: program, enrolment: enrolment, error: refusal.message,
                status: refusal.field == "message" ? .unprocessableEntity : .conflict)
        }
    }

    struct WaitlistInput: Content {
        var mentor: String?
    }

    @Sendable static func joinWaitlist(_ req: Request) async throws -> Response {
        let (viewer, program, _) = try await enrolled(req, as: .mentee)
        let input = try req.content.decode(WaitlistInput.self)
        guard let mentorID = input.mentor.flatMap(UUID.init(uuidString:)) else {
            return try await mentorsPage(req, viewer: viewer, program: program, error: "Choose a mentor whose waitlist to join.", status: .unprocessableEntity)
        }
        do {
            try await Requests.joinWaitlist(program: try program.requireID(), mentee: viewer.id, mentor: mentorID, on: req.db)
        } catch let refusal as ProgramStore.Refusal {
            return try await mentorsPage(req, viewer: viewer, program: program, error: refusal.message, status: .conflict)
        }
        return try await mentorsPage(req, viewer: viewer, program: program, notice: "You are on the waitlist. You will be told when a place opens.")
    }

    @Sendable static func leaveWaitlist(_ req: Request) async throws -> Response {
        let (viewer, program, _) = try await enrolled(req, as: .mentee)
        guard let id = req.parameters.get("place").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound, reason: "There is no such waitlist place.") }
        do {
            try await Requests.leaveWaitlist(id, by: viewer.id, on: req.db)
        } catch is ProgramStore.NotFound {
            throw Abort(.notFound, reason: "There is no such waitlist place.")
        }
        return try await mentorsPage(req, viewer: viewer, program: program, notice: "You left the waitlist.")
    }

    struct PauseInput: Content {
        var paused: String?
    }

    @Sendable static func pause(_ req: Request) async throws -> Response {
        let (viewer, program, enrolment) = try await enrolled(req, as: .mentor)
        let input = try req.content.decode(PauseInput.self)
        guard input.paused == "on" || input.paused == "off" else {
            return try await inboxPage(req, viewer: viewer, program: program, enrolment: enrolment, error: "Paused: choose on or off (got “\((input.paused ?? "").quoted(40))”).", status: .unprocessableEntity)
        }
        let paused = input.paused == "on"
        do {
            try await Requests.setPaused(paused, program: try program.requireID(), mentor: viewer.id, on: req.db)
        } catch let refusal as ProgramStore.Refusal {
            return try await inboxPage(req, viewer: viewer, program: program, enrolment: enrolment, error: refusal.message, status: .conflict)
        }
        guard let enrolment = try await ProgramStore.enrolment(of: viewer.id, in: try program.requireID(), on: req.db) else { throw Abort(.notFound) }
        return try await inboxPage(req, viewer: viewer, program: program, enrolment: enrolment,
            notice: paused ? "New requests are paused: mentees see that you are not taking requests." : "You take new requests again.")
    }

    struct CapacityInput: Content {
        var capacity: String?
    }

    @Sendable static func capacity(_ req: Request) async throws -> Response {
        let (viewer, program, enrolment) = try await enrolled(req, as: .mentor)
        let input = try req.content.decode(CapacityInput.self)
        let value: Int
        switch EnrolmentRules.capacity.parse(input.capacity ?? "") {
        case .success(let parsed?): value = parsed
        case .success(nil): return try await inboxPage(req, viewer: viewer, program: program, enrolment: enrolment, error: "Capacity is required: \(EnrolmentRules.capacity.allowed).", status: .unprocessableEntity)
        case .failure(let problem): return try await inboxPage(req, viewer: viewer, program: program, enrolment: enrolment, error: problem.message, status: .unprocessableEntity)
        }
        do {
            try await Requests.setCapacity(value, program: try program.requireID(), mentor: viewer.id, on: req.db)
        } catch let refusal as ProgramStore.Refusal {
            return try await inboxPage(req, viewer: viewer, program: program, enrolment: enrolment, error: refusal.message, status: .unprocessableEntity)
        }
        let fresh = try await ProgramStore.enrolment(of: viewer.id, in: try program.requireID(), on: req.db) ?? enrolment
        return try await inboxPage(req, viewer: viewer, program: program, enrolment: fresh, notice: "You take up to \(value) mentee\(value == 1 ? "" : "s") in this program.")
    }
}
