import Fluent
import Foundation
import TrellisCore
import Vapor

/// Programs as everyone signed in sees them: the list, a program's page, joining and
/// withdrawing. What a program manager changes is `AdminProgramsController`.
enum ProgramsController {
    static func register(_ routes: any RoutesBuilder) {
        routes.get("programs", use: list)
        routes.get("programs", ":id", use: show)
        routes.post("programs", ":id", "join", use: join)
        routes.post("programs", ":id", "withdraw", use: withdraw)
    }

    struct JoinInput: Content, Sendable {
        var role: String?
        var capacity: String?
        var statement: String?
    }

    /// Today as the person sees it: the day in their profile's time zone (UTC without one), so
    /// that "enrolment closes on the 14th" means the whole of their 14th.
    static func today(for userID: UUID, now: Date = Date(), on db: any Database) async throws -> CalendarDay {
        CalendarDay(now, in: try await Profile.timeZone(of: userID, on: db))
    }

    static func summary(_ program: Program, myRole: ProgramRole?, canJoin: Bool) throws -> ProgramSummary {
        let draft = program.draft
        return ProgramSummary(
            id: try program.requireID(), name: program.name, purpose: program.purpose, mode: program.matchingMode, state: program.programState,
            enrolmentOpens: draft.enrolmentOpens, enrolmentCloses: draft.enrolmentCloses, starts: draft.starts, ends: draft.ends,
            mentors: program.mentorCount, mentees: program.menteeCount, myRole: myRole, canJoin: canJoin
        )
    }

    static func joinRefusal(_ program: Program, enrolledAs: ProgramRole?, today: CalendarDay) -> String? {
        EnrolmentRules.refusal(joining: .init(
            state: program.programState, today: today, opens: program.draft.enrolmentOpens, closes: program.draft.enrolmentCloses, enrolledAs: enrolledAs
        ))
    }

    @Sendable static func list(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        guard let viewer = user.viewer else { throw Abort(.unauthorized) }
        let programs = try await ProgramStore.visible(to: viewer, on: req.db)
        let ids = try programs.map { try $0.requireID() }
        let mine = ids.isEmpty ? [] : try await Enrolment.query(on: req.db).filter(\.$userID == viewer.id).filter(\.$programID ~~ ids).all()
        let roles = Dictionary(mine.map { ($0.programID, $0.programRole) }, uniquingKeysWith: { first, _ in first })
        let today = try await today(for: viewer.id, on: req.db)
        let summaries = try programs.map { program in
            let role = roles[try program.requireID()]
            return try summary(program, myRole: role, canJoin: joinRefusal(program, enrolledAs: role, today: today) == nil)
        }
        return ProgramListPage.render(req.page, programs: summaries)
    }

    /// The program a request names, if the signed-in person may see it; otherwise 404 (a draft
    /// or another program's existence is not revealed).
    static func visibleProgram(_ req: Request, viewer: PageContext.Viewer) async throws -> (Program, Enrolment?) {
        guard let id = req.idParameter, let program = try await ProgramStore.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such program.")
        }
        let enrolment = try await ProgramStore.enrolment(of: viewer.id, in: id, on: req.db)
        guard ProgramStore.canSee(program, viewer: viewer, enrolment: enrolment) else { throw Abort(.notFound, reason: "There is no such program.") }
        return (program, enrolment)
    }

    /// A program's page for the signed-in person.
    static func page(
        _ req: Request, viewer: PageContext.Viewer, program: Program, enrolment: Enrolment?, notice: String? = nil,
        joinInput: JoinInput = JoinInput(), joinErrors: ValidationErrors = ValidationErrors(), stateError: String? = nil
    ) async throws -> HTML {
        let id = try program.requireID()
        let today = try await today(for: viewer.id, on: req.db)
        let role = enrolment?.programRole
        let refusal = joinRefusal(program, enrolledAs: role, today: today)
        let matched = enrolment == nil ? false : try await ProgramStore.isMatched(viewer.id, in: id, on: req.db)
        let canWithdraw = EnrolmentRules.refusal(withdrawing: .init(state: program.programState, enrolled: enrolment != nil, matched: matched)) == nil
        var moves: [ProgramView.Move] = []
        var hasPairs = false
        if viewer.isAdmin {
            hasPairs = try await ProgramStore.hasMentorships(id, on: req.db)
            let facts = ProgramState.Facts(mentors: program.mentorCount, mentees: program.menteeCount, hasMentorships: hasPairs)
            let state = program.programState
            let candidates: [(ProgramState, String)] = switch state {
            case .draft: [(.enrolling, "Open enrolment")]
            case .enrolling: [(.matching, "Close enrolment and start matching"), (.draft, "Back to draft")]
            case .matching: [(.active, "Start the program"), (.enrolling, "Reopen enrolment")]
            case .active: [(.concluded, "Conclude the program")]
            case .concluded: []
            }
            moves = candidates.map { next, label in
                ProgramView.Move(to: next, label: label, blocked: state.problem(movingTo: next, mode: program.matchingMode, facts: facts))
            }
        }
        var latestRun: (Int, MatchRun.State, Bool, Bool)?
        if viewer.isAdmin, let run = try await MatchRun.query(on: req.db).filter(\.$programID == id).sort(\.$number, .descending).first() {
            latestRun = (run.number, run.runState, run.publishedAt != nil, run.staleness(for: program) != nil)
        }
        let profileCapacity = try await Profile.find(viewer.id, on: req.db)?.capacityMentees
        let view = ProgramView(
            program: try summary(program, myRole: role, canJoin: refusal == nil), description: program.description,
            excludeSameDepartment: program.excludeSameDepartment, minimumScore: program.minimumScore, allowRepeatPairs: program.allowRepeatPairs,
            maximumOpenRequests: program.maximumOpenRequests, requestExpiryDays: program.requestExpiryDays,
            meetingsInTrellis: program.meetingsInTrellis, hasPairs: hasPairs, weights: program.weights,
            myStatement: enrolment?.statement, canWithdraw: canWithdraw, joinRefusal: refusal, profileCapacity: profileCapacity,
            moves: moves, joinErrors: joinErrors, joinInput: joinInput, stateError: stateError, latestRun: latestRun,
            rankingProgress: viewer.isAdmin && program.matchingMode == .preference ? Rankings.progress(of: program) : nil,
            selfSelectFigures: viewer.isAdmin && program.matchingMode == .selfSelect && program.programState != .draft && program.programState != .enrolling
                ? try await SelfSelectStats.figures(for: program, on: req.db) : nil
        )
        return ProgramPage.render(req.page, view, notice: notice)
    }

    @Sendable static func show(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        guard let viewer = user.viewer else { throw Abort(.unauthorized) }
        let (program, enrolment) = try await visibleProgram(req, viewer: viewer)
        return try await page(req, viewer: viewer, program: program, enrolment: enrolment)
    }

    @Sendable static func join(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let viewer = user.viewer else { throw Abort(.unauthorized) }
        let (program, enrolment) = try await visibleProgram(req, viewer: viewer)
        let input = try req.content.decode(JoinInput.self)
        var errors = ValidationErrors()
        var role: ProgramRole?
        switch ProfileRules.choice(input.role ?? "", as: ProgramRole.self) {
        case .success(let chosen):
            role = chosen
            if chosen == nil { errors.add("role", "Choose whether you join as a mentor or a mentee.") }
        case .failure(let problem): errors.add("role", problem.message)
        }
        var capacity: Int?
        switch EnrolmentRules.capacity.parse(input.capacity ?? "") {
        case .success(let value): capacity = value
        case .failure(let problem): errors.add("capacity", problem.message)
        }
        // A mentee's form may carry the capacity the page offered by default: it is not theirs to give.
        if role == .mentee { capacity = nil }
        let statement = TextInput.paragraphs(input.statement ?? "")
        if let problem = EnrolmentRules.statement.problem(statement) { errors.add("statement", problem) }
        if errors.isEmpty, let role {
            do {
                let today = try await today(for: viewer.id, on: req.db)
                let updated = try await ProgramStore.enrol(
                    [.init(userID: viewer.id, role: role, capacity: capacity, statement: statement)], in: try program.requireID(),
                    selfJoined: true, by: user, today: today, on: req.db
                )
                let mine = try await ProgramStore.enrolment(of: viewer.id, in: try updated.requireID(), on: req.db)
                let page = try await page(req, viewer: viewer, program: updated, enrolment: mine, notice: "You joined “\(updated.name)” as a \(role.rawValue).")
                return try await page.encodeResponse(for: req)
            } catch let refusal as ProgramStore.Refusal {
                errors.add(refusal.field == "program" || refusal.field == "person" ? "role" : refusal.field, refusal.message)
            }
        }
        let page = try await page(req, viewer: viewer, program: program, enrolment: enrolment, joinInput: input, joinErrors: errors)
        return try await req.invalidForm(page)
    }

    @Sendable static func withdraw(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let viewer = user.viewer else { throw Abort(.unauthorized) }
        let (program, enrolment) = try await visibleProgram(req, viewer: viewer)
        let id = try program.requireID()
        do {
            try await ProgramStore.withdraw(viewer.id, from: id, by: user, on: req.db)
        } catch let refusal as ProgramStore.Refusal {
            let page = try await page(req, viewer: viewer, program: program, enrolment: enrolment, notice: refusal.message)
            return try await HTMLPage(status: .conflict, html: page).encodeResponse(for: req)
        }
        // Gone from a program they may no longer see: back to the list.
        guard let fresh = try await ProgramStore.find(id, on: req.db), ProgramStore.canSee(fresh, viewer: viewer, enrolment: nil) else {
            return req.redirect(to: "/programs", redirectType: .normal)
        }
        return try await page(req, viewer: viewer, program: fresh, enrolment: nil, notice: "You withdrew from “\(fresh.name)”.").encodeResponse(for: req)
    }
}
