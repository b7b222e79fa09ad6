import Fluent
import Foundation
import TrellisCore
import TrellisMatching
import Vapor

/// Program managers: matching runs, their results, review decisions, and publishing.
enum MatchRunsController {
    static func register(_ routes: any RoutesBuilder) {
        routes.post("admin", "programs", ":id", "runs", use: start)
        routes.get("admin", "programs", ":id", "runs", use: list)
        routes.get("admin", "programs", ":id", "runs", "compare", use: compare)
        routes.get("admin", "programs", ":id", "runs", ":run", use: show)
        routes.post("admin", "programs", ":id", "runs", ":run", "publish", use: publish)
        routes.post("admin", "programs", ":id", "decisions", use: decide)
        routes.post("admin", "programs", ":id", "decisions", ":decision", "undo", use: undo)
        routes.get("admin", "programs", ":id", "why-not", use: whyNot)
    }

    static func run(_ req: Request, program: Program, number text: String?) async throws -> MatchRun {
        guard let text, let number = Int(text), number > 0,
              let run = try await MatchRun.query(on: req.db).filter(\.$programID == program.requireID()).filter(\.$number == number).first()
        else { throw Abort(.notFound, reason: "There is no such run of this program.") }
        return run
    }

    static func runPath(_ program: Program, _ number: Int) -> String { "/admin/programs/\(program.id?.uuidString ?? "")/runs/\(number)" }

    @Sendable static func start(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()
        let program = try await AdminProgramsController.program(req)
        do {
            let run = try await MatchRuns.start(try program.requireID(), by: admin, on: req.db)
            await req.application.jobWorker?.kick()
            return req.redirect(to: runPath(program, run.number), redirectType: .normal)
        } catch let refusal as ProgramStore.Refusal {
            guard let viewer = admin.viewer else { throw Abort(.unauthorized) }
            let enrolment = try await ProgramStore.enrolment(of: viewer.id, in: try program.requireID(), on: req.db)
            let page = try await ProgramsController.page(req, viewer: viewer, program: program, enrolment: enrolment, stateError: refusal.message)
            return try await HTMLPage(status: .conflict, html: page).encodeResponse(for: req)
        }
    }

    /// The run's page: its progress while it runs (the page refreshes itself), why it failed, or
    /// the proposal a page at a time with the review tools.
    static func runPage(_ req: Request, program: Program, run: MatchRun, notice: String? = nil, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        var filter = RunResults.Filter()
        filter.show = (try? req.query.get(String.self, at: "show")).flatMap(RunResults.Show.init(rawValue:)) ?? .pairs
        filter.order = (try? req.query.get(String.self, at: "order")).flatMap(RunResults.Order.init(rawValue:)) ?? .best
        filter.department = TextInput.line((try? req.query.get(String.self, at: "department")) ?? "").scalarPrefix(ProfileRules.department.maximum)
        var filterError: String?
        if let text = try? req.query.get(String.self, at: "max_score"), !TextInput.trimmingSpaces(text).isEmpty {
            switch ProgramRules.parseMinimumScore(text) {
            case .success(let value): filter.maximumScore = value
            case .failure: filterError = "Score at most: a number from 0 to 1, such as 0.4 (got “\(text.quoted(40))”)."
            }
        }
        let after = (try? req.query.get(String.self, at: "after")).flatMap { Int($0) }
        let before = after == nil ? (try? req.query.get(String.self, at: "before")).flatMap { Int($0) } : nil
        let runID = try run.requireID()
        let page = run.runState == .done ? try await RunResults.page(run: runID, filter: filter, after: after, before: before, on: req.db) : nil
        let programID = try program.requireID()
        let decisions = try await MatchDecision.query(on: req.db).filter(\.$programID == programID).sort(\.$createdAt).limit(500).all()
        let people = Array(Set(decisions.flatMap { [$0.menteeID, $0.mentorID] }))
        let names = people.isEmpty ? [:] : Dictionary(try await User.query(on: req.db).filter(\.$id ~~ people).all().compactMap { user in user.id.map { ($0, user.name) } }, uniquingKeysWith: { a, _ in a })
        let view = RunView(
            program: try ProgramsController.summary(program, myRole: nil, canJoin: false), run: RunView.Run(run),
            staleness: run.staleness(for: program), published: try await ProgramStore.hasMentorships(programID, on: req.db),
            page: page, filterError: filterError,
            decisions: decisions.compactMap { decision in
                decision.id.map { RunView.Decision(id: $0, kind: decision.decisionKind, mentee: names[decision.menteeID] ?? "Someone", mentor: names[decision.mentorID] ?? "Someone") }
            },
            notice: notice, error: error
        )
        return try await HTMLPage(status: status, html: RunPages.run(req.page, view)).encodeResponse(for: req)
    }

    @Sendable static func show(_ req: Request) async throws -> Response {
        let program = try await AdminProgramsController.program(req)
        let run = try await run(req, program: program, number: req.parameters.get("run"))
        return try await runPage(req, program: program, run: run)
    }

    @Sendable static func list(_ req: Request) async throws -> HTML {
        let program = try await AdminProgramsController.program(req)
        let runs = try await MatchRun.query(on: req.db).filter(\.$programID == program.requireID()).sort(\.$number, .descending).limit(200).all()
        return RunPages.list(req.page, program: try ProgramsController.summary(program, myRole: nil, canJoin: false), runs: runs.map(RunView.Run.init))
    }

    @Sendable static func compare(_ req: Request) async throws -> Response {
        let program = try await AdminProgramsController.program(req)
        let first = try await run(req, program: program, number: try? req.query.get(String.self, at: "a"))
        let second = try await run(req, program: program, number: try? req.query.get(String.self, at: "b"))
        guard first.runState == .done, second.runState == .done else {
            throw Abort(.conflict, reason: "Only finished runs can be compared.")
        }
        let comparison = try await RunResults.compare(try first.requireID(), try second.requireID(), on: req.db)
        return try await RunPages.compare(
            req.page, program: try ProgramsController.summary(program, myRole: nil, canJoin: false),
            first: RunView.Run(first), second: RunView.Run(second), comparison: comparison
        ).encodeResponse(for: req)
    }

    @Sendable static func publish(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()
        let program = try await AdminProgramsController.program(req)
        let run = try await run(req, program: program, number: req.parameters.get("run"))
        do {
            // Publishing 50,000 pairs is a transaction of seconds: it runs on the long-work thread
            // and, on SQLite, a connection of its own, so that other pages keep their connection.
            let (runID, programID, db) = (try run.requireID(), try program.requireID(), req.application.longWorkDB)
            let pairs = try await LongWork.run { try await MatchRuns.publish(runID, program: programID, by: admin, on: db) }
            guard let fresh = try await ProgramStore.find(try program.requireID(), on: req.db), let viewer = admin.viewer else { throw Abort(.notFound) }
            let enrolment = try await ProgramStore.enrolment(of: viewer.id, in: try program.requireID(), on: req.db)
            return try await ProgramsController.page(req, viewer: viewer, program: fresh, enrolment: enrolment,
                notice: "Published \(pairs.grouped) pair\(pairs == 1 ? "" : "s"): each is now a mentorship, both people were notified, and the program is active.").encodeResponse(for: req)
        } catch let refusal as ProgramStore.Refusal {
            let fresh = try await ProgramStore.find(try program.requireID(), on: req.db) ?? program
            let current = try await MatchRun.find(try run.requireID(), on: req.db) ?? run
            return try await runPage(req, program: fresh, run: current, error: refusal.message, status: .conflict)
        }
    }

    struct DecisionInput: Content {
        var mentee: String?
        var mentor: String?
        var kind: String?
        /// The manual-pair form's names for the two (the page's "why not" form has its own).
        var manual_mentee: String?
        var manual_mentor: String?
        /// The run page to return to.
        var run: String?
    }

    /// A person named in a form: their id, or their email as sign-in matches it.
    static func person(_ text: String?, on db: any Database) async throws -> User? {
        let text = TextInput.trimmingSpaces(text ?? "")
        if let id = UUID(uuidString: text) { return try await User.find(id, on: db) }
        let email = EmailAddress.normalize(text)
        guard ProfileRules.emailProblem(email) == nil else { return nil }
        return try await User.query(on: db).filter(\.$email == email).first()
    }

    @Sendable static func decide(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()
        let program = try await AdminProgramsController.program(req)
        var input = try req.content.decode(DecisionInput.self)
        input.mentee = input.mentee ?? input.manual_mentee
        input.mentor = input.mentor ?? input.manual_mentor
        // The run page to return to: the one named, else the newest.
        var returnRun = try? await run(req, program: program, number: input.run)
        if returnRun == nil {
            returnRun = try await MatchRun.query(on: req.db).filter(\.$programID == program.requireID()).sort(\.$number, .descending).first()
        }
        func back(error: String? = nil, notice: String? = nil, status: HTTPStatus) async throws -> Response {
            if let returnRun, let fresh = try await ProgramStore.find(try program.requireID(), on: req.db) {
                return try await runPage(req, program: fresh, run: returnRun, notice: notice, error: error, status: status)
            }
            if let error { throw Abort(status, reason: error) }
            return req.redirect(to: "/admin/programs/\(try program.requireID().uuidString)/runs", redirectType: .normal)
        }
        guard let kind = MatchDecision.Kind(rawValue: input.kind ?? "") else {
            return try await back(error: "Decision: choose lock, exclude or manual (got “\((input.kind ?? "").quoted(40))”).", status: .unprocessableEntity)
        }
        guard let mentee = try await person(input.mentee, on: req.db) else {
            return try await back(error: "Mentee: nobody in Trellis has the id or email “\((input.mentee ?? "").excerpt(80))”.", status: .unprocessableEntity)
        }
        guard let mentor = try await person(input.mentor, on: req.db) else {
            return try await back(error: "Mentor: nobody in Trellis has the id or email “\((input.mentor ?? "").excerpt(80))”.", status: .unprocessableEntity)
        }
        let replaced: MatchDecision.Kind?
        do {
            replaced = try await MatchRuns.decide(kind, program: try program.requireID(), mentee: try mentee.requireID(), mentor: try mentor.requireID(), by: admin, on: req.db)
        } catch let refusal as ProgramStore.Refusal {
            if kind == .manual {
                // The manual pair's check in full: every rule it breaks, its score and reasons.
                let check = try await MatchRuns.check(program: program, mentee: try mentee.requireID(), mentor: try mentor.requireID(), on: req.db)
                let page = RunPages.pairCheck(
                    req.page, program: try ProgramsController.summary(program, myRole: nil, canJoin: false), mentee: mentee.name, mentor: mentor.name,
                    check: check, placement: nil, refusedManual: true, returnRun: returnRun?.number
                )
                return try await HTMLPage(status: .unprocessableEntity, html: page).encodeResponse(for: req)
            }
            return try await back(error: refusal.message, status: .conflict)
        }
        let done: String = switch kind {
        case .lock: "\(mentee.name) and \(mentor.name) are locked together: every re-run keeps them."
        case .exclude: "\(mentee.name) and \(mentor.name) will never be paired in this program."
        case .manual: "\(mentee.name) is put with \(mentor.name): every re-run keeps them."
        }
        let was: String = switch replaced {
        case .lock?: kind == .lock ? "" : " (It was locked; the lock is removed.)"
        case .exclude?: kind == .exclude ? "" : " (It was excluded; the exclusion is removed.)"
        case .manual?: kind == .manual ? "" : " (It was put together by hand; that is removed.)"
        case nil: ""
        }
        return try await back(notice: "\(done)\(was) Run matching again to see the effect.", status: .ok)
    }

    @Sendable static func undo(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()
        let program = try await AdminProgramsController.program(req)
        guard let id = req.parameters.get("decision").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound, reason: "There is no such decision.") }
        let input = try req.content.decode(DecisionInput.self)
        do {
            try await MatchRuns.undo(decision: id, program: try program.requireID(), by: admin, on: req.db)
        } catch is ProgramStore.NotFound {
            throw Abort(.notFound, reason: "There is no such decision.")
        } catch let refusal as ProgramStore.Refusal {
            throw Abort(.conflict, reason: refusal.message)
        }
        if let run = try? await run(req, program: program, number: input.run), let fresh = try await ProgramStore.find(try program.requireID(), on: req.db) {
            return try await runPage(req, program: fresh, run: run, notice: "The decision was undone. Run matching again to see the effect.")
        }
        return req.redirect(to: "/admin/programs/\(try program.requireID().uuidString)/runs", redirectType: .normal)
    }

    /// "Why not X with Y": the pair's score and reasons, every rule it breaks, and what the
    /// latest finished run made of each of them.
    @Sendable static func whyNot(_ req: Request) async throws -> Response {
        let program = try await AdminProgramsController.program(req)
        let summary = try ProgramsController.summary(program, myRole: nil, canJoin: false)
        let menteeText = try? req.query.get(String.self, at: "mentee"), mentorText = try? req.query.get(String.self, at: "mentor")
        let foundMentee = try await person(menteeText, on: req.db), foundMentor = try await person(mentorText, on: req.db)
        guard let mentee = foundMentee, let mentor = foundMentor else {
            var problems: [String] = []
            for (text, found, side) in [(menteeText, foundMentee, "mentee"), (mentorText, foundMentor, "mentor")] where found == nil {
                let given = (text ?? "").trimmingCharacters(in: .whitespaces)
                problems.append(given.isEmpty ? "Give the \(side)'s email." : "Nobody in Trellis has the email “\(given.excerpt(80))” (the \(side)).")
            }
            let page = RunPages.whyNotForm(req.page, program: summary, mentee: menteeText ?? "", mentor: mentorText ?? "",
                error: menteeText == nil && mentorText == nil ? nil : problems.joined(separator: " "))
            return try await HTMLPage(status: menteeText == nil && mentorText == nil ? .ok : .unprocessableEntity, html: page).encodeResponse(for: req)
        }
        let check = try await MatchRuns.check(program: program, mentee: try mentee.requireID(), mentor: try mentor.requireID(), on: req.db)
        let latest = try await MatchRun.query(on: req.db).filter(\.$programID == program.requireID()).filter(\.$state == MatchRun.State.done.rawValue)
            .sort(\.$number, .descending).first()
        var placement: (Int, RunResults.Placement)?
        if let latest {
            placement = (latest.number, try await RunResults.placement(run: try latest.requireID(), mentee: try mentee.requireID(), mentor: try mentor.requireID(), on: req.db))
        }
        var stable: [String]?
        if program.matchingMode == .preference {
            let sentences = try await RunResults.stableWhyNot(run: latest?.id, program: program, mentee: mentee, mentor: mentor, on: req.db)
            stable = sentences.isEmpty ? nil : sentences
        }
        return try await RunPages.pairCheck(
            req.page, program: summary, mentee: mentee.name, mentor: mentor.name, check: check, placement: placement, refusedManual: false,
            returnRun: latest?.number, stable: stable
        ).encodeResponse(for: req)
    }
}
