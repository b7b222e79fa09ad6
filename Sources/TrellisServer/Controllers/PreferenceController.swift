import Fluent
import Foundation
import TrellisCore
import TrellisMatching
import Vapor

/// Preference programs: a mentee's shortlist of mentors and a mentor's ranking of the mentees who
/// chose them.
enum PreferenceController {
    static func register(_ routes: any RoutesBuilder) {
        routes.get("programs", ":id", "rankings", use: rankings)
        routes.post("programs", ":id", "rankings", use: add)
        routes.post("programs", ":id", "rankings", ":person", "up", use: up)
        routes.post("programs", ":id", "rankings", ":person", "down", use: down)
        routes.post("programs", ":id", "rankings", ":person", "remove", use: remove)
    }

    /// The program and the viewer's enrolment: 404 when the program is not theirs to see or not a
    /// preference program, 403 when they are not in it.
    static func enrolled(_ req: Request) async throws -> (PageContext.Viewer, Program, Enrolment) {
        let user = try req.requireUser()
        guard let viewer = user.viewer else { throw Abort(.unauthorized) }
        let (program, enrolment) = try await ProgramsController.visibleProgram(req, viewer: viewer)
        guard program.matchingMode == .preference else { throw Abort(.notFound, reason: "In this program nobody ranks.") }
        guard let enrolment else { throw Abort(.forbidden, reason: "Only the program's mentors and mentees rank.") }
        return (viewer, program, enrolment)
    }

    /// Suggestions shown to a mentee at once, and mentees shown to a mentor.
    static let shown = 20

    static func page(
        _ req: Request, viewer: PageContext.Viewer, program: Program, enrolment: Enrolment,
        notice: String? = nil, error: String? = nil, status: HTTPStatus = .ok
    ) async throws -> Response {
        let programID = try program.requireID()
        let role = enrolment.programRole
        let ranked = try await Rankings.list(of: viewer.id, in: programID, on: req.db)
        let notice = notice ?? (error == nil ? Self.notice(req, ranking: ranked) : nil)
        let closed = RankingRules.refusal(editing: .init(state: program.programState, mode: program.matchingMode, role: role))
        let search = Tags.key(((try? req.query.get(String.self, at: "q")) ?? "").scalarPrefix(100))
        var view = RankingPages.View(
            program: try ProgramsController.summary(program, myRole: role, canJoin: false), role: role, ranked: [], candidates: [],
            candidateTotal: 0, closed: closed, search: search, notice: notice, error: error
        )
        if role == .mentee {
            // Every mentor of the program scored for this mentee (the self-select suggestions):
            // the shortlist shows their scores, the rest are the suggestions.
            let scored = try await Suggestions.mentors(for: viewer.id, in: program, on: req.db)
            let byID = Dictionary(scored.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            view.ranked = ranked.map { entry in
                let mentor = byID[entry.id]
                return .init(id: entry.id, name: entry.name, department: entry.department, rank: entry.rank, score: mentor?.score,
                             reasons: mentor?.reasons ?? [], expertise: mentor?.expertise ?? [])
            }
            let onList = Set(ranked.map(\.id))
            let candidates = scored.filter { mentor in
                !onList.contains(mentor.id)
                    && (search.isEmpty || Tags.key(mentor.name).contains(search) || mentor.expertise.contains { Tags.key($0).contains(search) })
            }.sorted { ($0.score, $1.name) > ($1.score, $0.name) }
            view.candidateTotal = candidates.count
            view.candidates = candidates.prefix(shown).map {
                .init(id: $0.id, name: $0.name, department: $0.department, score: $0.score, reasons: $0.reasons, expertise: $0.expertise)
            }
        } else {
            let chosenBy = try await Rankings.chosenBy(mentor: viewer.id, in: programID, on: req.db)
            let theirRank = Dictionary(chosenBy.map { ($0.id, $0.rank) }, uniquingKeysWith: { a, _ in a })
            let scores = try await Self.scores(mentor: viewer.id, mentees: chosenBy.map(\.id) + ranked.map(\.id), program: program, on: req.db)
            view.ranked = ranked.map { entry in
                .init(id: entry.id, name: entry.name, department: entry.department, rank: entry.rank, theirRank: theirRank[entry.id],
                      score: scores[entry.id]?.score, reasons: scores[entry.id]?.reasons ?? [])
            }
            let onList = Set(ranked.map(\.id))
            let waiting = chosenBy.filter { !onList.contains($0.id) }
            view.candidateTotal = waiting.count
            view.candidates = waiting.map { entry in
                .init(id: entry.id, name: entry.name, department: entry.department, theirRank: entry.rank,
                      score: scores[entry.id]?.score, reasons: scores[entry.id]?.reasons ?? [])
            }
        }
        return try await HTMLPage(status: status, html: RankingPages.page(req.page, view)).encodeResponse(for: req)
    }

    /// The mentor's score with each of these mentees, with the reasons (at most a hundred people).
    static func scores(mentor: UUID, mentees: [UUID], program: Program, on db: any Database) async throws -> [UUID: (score: Int64, reasons: [(contribution: Int64, sentence: String)])] {
        let unique = Array(Set(mentees))
        guard !unique.isEmpty else { return [:] }
        let input = try await ProgramMatching.input(for: program, only: unique + [mentor], on: db)
        var options = input.options
        options.locks = []
        options.minimumScore = 0
        let inRun = Set(input.participants.map(\.id))
        options.exclusions = options.exclusions.filter { inRun.contains($0.mentee) && inRun.contains($0.mentor) }
        guard let engine = try? MatchEngine(participants: input.participants, options: options) else { return [:] }
        var found: [UUID: (score: Int64, reasons: [(contribution: Int64, sentence: String)])] = [:]
        for mentee in unique {
            guard let explanation = try? engine.explain(menteeID: mentee.uuidString, mentorID: mentor.uuidString) else { continue }
            let reasons = ProgramMatching.namedReasons(explanation, input.names)
            found[mentee] = (explanation.score, reasons)
        }
        return found
    }

    @Sendable static func rankings(_ req: Request) async throws -> Response {
        let (viewer, program, enrolment) = try await enrolled(req)
        return try await page(req, viewer: viewer, program: program, enrolment: enrolment)
    }

    struct AddInput: Content {
        var person: String?
    }

    @Sendable static func add(_ req: Request) async throws -> Response {
        let (viewer, program, enrolment) = try await enrolled(req)
        let input = try req.content.decode(AddInput.self)
        guard let person = input.person.flatMap(UUID.init(uuidString:)) else {
            return try await page(req, viewer: viewer, program: program, enrolment: enrolment,
                                  error: "Person: choose someone to add to your ranking.", status: .unprocessableEntity)
        }
        return try await apply(.add(person), req, viewer: viewer, program: program, enrolment: enrolment)
    }

    @Sendable static func up(_ req: Request) async throws -> Response { try await move(req) { .up($0) } }
    @Sendable static func down(_ req: Request) async throws -> Response { try await move(req) { .down($0) } }
    @Sendable static func remove(_ req: Request) async throws -> Response { try await move(req) { .remove($0) } }

    static func move(_ req: Request, _ change: (UUID) -> Rankings.Change) async throws -> Response {
        let (viewer, program, enrolment) = try await enrolled(req)
        guard let person = req.parameters.get("person").flatMap(UUID.init(uuidString:)) else {
            throw Abort(.notFound, reason: "This person is not in your ranking.")
        }
        return try await apply(change(person), req, viewer: viewer, program: program, enrolment: enrolment)
    }

    static func apply(_ change: Rankings.Change, _ req: Request, viewer: PageContext.Viewer, program: Program, enrolment: Enrolment) async throws -> Response {
        let programID = try program.requireID()
        let changed: Bool
        do {
            changed = try await Rankings.change(change, ranker: viewer.id, program: programID, on: req.db)
        } catch is ProgramStore.NotFound {
            throw Abort(.notFound, reason: "This person is not in your ranking.")
        } catch let refusal as ProgramStore.Refusal {
            let status: HTTPStatus = refusal.field == "ranking" ? .conflict : .unprocessableEntity
            return try await page(req, viewer: viewer, program: program, enrolment: enrolment, error: refusal.message, status: status)
        }
        // Post, then redirect: reloading the page shows it again instead of moving someone a
        // second time. The notice is named by a code and the person, never carried as text.
        let done: String = switch change {
        case .add: "added"
        case .up: changed ? "up" : "first"
        case .down: changed ? "down" : "last"
        case .remove: "removed"
        }
        return req.redirect(to: "/programs/\(programID.uuidString)/rankings?done=\(done)&person=\(change.person.uuidString)", redirectType: .normal)
    }

    /// The notice for `?done=…&person=…` after a change: where the person now stands.
    static func notice(_ req: Request, ranking: [Rankings.Entry]) -> String? {
        guard let done = try? req.query.get(String.self, at: "done") else { return nil }
        let person = (try? req.query.get(String.self, at: "person")).flatMap(UUID.init(uuidString:))
        let placed = ranking.first { $0.id == person }
        let name = placed?.name ?? "They"
        let rank = placed.map { StableExplanation.ordinal($0.rank) } ?? ""
        switch done {
        case "added" where placed != nil: return "Added to your ranking: \(name) is your \(rank) choice."
        case "up" where placed != nil: return "Moved up: \(name) is now your \(rank) choice."
        case "down" where placed != nil: return "Moved down: \(name) is now your \(rank) choice."
        case "first" where placed != nil: return "\(name) is already your first choice."
        case "last" where placed != nil: return "\(name) is already your last choice."
        case "removed": return "Removed from your ranking."
        default: return nil
        }
    }
}
