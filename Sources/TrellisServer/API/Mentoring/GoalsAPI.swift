import Fluent
import Foundation
import TrellisCore
import Vapor

/// `/api/v1/mentorships/{id}/goals`, `…/feedback` and `…/journal`: a pair's goals and
/// milestones, feedback and thanks, and the caller's own journal. The pair only (404 for anyone
/// else); a journal, its author only.
enum GoalsAPI {
    static func register(_ api: some RoutesBuilder) {
        let goals = api.grouped("mentorships", ":id", "goals")
        goals.get(use: list)
        goals.post(use: create)
        goals.post(":goal", "milestones", use: addMilestone)
        goals.post(":goal", "milestones", ":milestone", "reached", use: reachMilestone)
        goals.post(":goal", "reached", use: reachGoal)
        goals.post(":goal", "congratulations", use: congratulate)
        goals.get(":goal", "congratulations", use: congratulations)
        goals.get(":goal", use: show)
        goals.patch(":goal", use: update)
        goals.delete(":goal", use: remove)
        let base = api.grouped("mentorships", ":id")
        base.get("feedback", use: feedback)
        base.post("feedback", use: sendFeedback)
        base.get("journal", use: journal)
        base.post("journal", use: write)
    }

    static func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await MeetingsAPI.run(body)
        } catch is Goals.NotFound {
            throw Abort(.notFound, reason: "There is no such goal or milestone.")
        }
    }

    static func goalID(_ req: Request) -> UUID? { req.parameters.get("goal").flatMap(UUID.parse) }

    static func dto(_ id: UUID?, pair: PairView, on db: any Database) async throws -> GoalDTO {
        guard let id, let goal = try await Goals.goals(of: pair, on: db).first(where: { $0.id == id }) else { throw Abort(.notFound, reason: "There is no such goal.") }
        return GoalDTO(goal)
    }

    @Sendable static func list(_ req: Request) async throws -> [GoalDTO] {
        let pair = try await Pairs.view(req)
        return try await Goals.goals(of: pair, on: req.db).map(GoalDTO.init)
    }

    @Sendable static func create(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        _ = try ProgramsAPI.sentKeys(req, allowed: ["title", "description", "term", "target_on", "owner"], what: "goal")
        let input = try req.content.decode(GoalInputDTO.self)
        let goal = try await run {
            try await Goals.create(title: input.title ?? "", description: input.description ?? "", term: input.term ?? GoalTerm.short.rawValue,
                                   targetOn: input.target_on ?? "", owner: input.owner ?? PairSide.mentee.rawValue, pair: pair, on: req.db)
        }
        return try await dto(goal.id, pair: pair, on: req.db).encodeResponse(status: .created, for: req)
    }

    @Sendable static func show(_ req: Request) async throws -> GoalDTO {
        let pair = try await Pairs.view(req)
        return try await dto(goalID(req), pair: pair, on: req.db)
    }

    /// Changes the fields sent (those left out keep their value; `target_on` null clears it).
    @Sendable static func update(_ req: Request) async throws -> GoalDTO {
        let pair = try await Pairs.view(req)
        let goal = try await dto(goalID(req), pair: pair, on: req.db)
        let keys = try ProgramsAPI.sentKeys(req, allowed: ["title", "description", "term", "target_on"], what: "goal")
        let input = try req.content.decode(GoalInputDTO.self)
        try await run {
            try await Goals.edit(goal.id, title: input.title ?? goal.title, description: input.description ?? goal.description, term: input.term ?? goal.term,
                                 targetOn: keys.contains("target_on") ? (input.target_on ?? "") : (goal.target_on ?? ""), pair: pair, on: req.db)
        }
        return try await dto(goal.id, pair: pair, on: req.db)
    }

    /// Removes a goal; answers with the pair's goals as they are now.
    @Sendable static func remove(_ req: Request) async throws -> [GoalDTO] {
        let pair = try await Pairs.view(req)
        try await run { try await Goals.delete(goalID(req), pair: pair, on: req.db) }
        return try await Goals.goals(of: pair, on: req.db).map(GoalDTO.init)
    }

    @Sendable static func addMilestone(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        _ = try await dto(goalID(req), pair: pair, on: req.db)
        _ = try ProgramsAPI.sentKeys(req, allowed: ["title"], what: "milestone")
        let input = try req.content.decode(TitleInputDTO.self)
        try await run {
            do {
                try await Goals.addMilestone(input.title ?? "", to: goalID(req), pair: pair, on: req.db)
            } catch let errors as ValidationErrors {
                throw ValidationErrors(field: "title", errors["milestone"] ?? errors.summary)
            } catch let refusal as ProgramStore.Refusal where refusal.field == "milestone" {
                throw ProgramStore.Refusal("title", refusal.message)
            }
        }
        return try await dto(goalID(req), pair: pair, on: req.db).encodeResponse(status: .created, for: req)
    }

    /// A refusal about the goal itself ("reached already") is a 409.
    static func reaching(_ body: () async throws -> Void) async throws {
        do {
            try await run(body)
        } catch let invalid as InvalidInput where invalid.errors["goal"] != nil {
            throw Abort(.conflict, reason: invalid.errors["goal"] ?? "")
        }
    }

    @Sendable static func reachMilestone(_ req: Request) async throws -> GoalDTO {
        let pair = try await Pairs.view(req)
        try await reaching { try await Goals.reachMilestone(req.parameters.get("milestone").flatMap(UUID.parse), of: goalID(req), pair: pair, on: req.db) }
        return try await dto(goalID(req), pair: pair, on: req.db)
    }

    @Sendable static func reachGoal(_ req: Request) async throws -> GoalDTO {
        let pair = try await Pairs.view(req)
        try await reaching { try await Goals.reachGoal(goalID(req), pair: pair, on: req.db) }
        return try await dto(goalID(req), pair: pair, on: req.db)
    }

    @Sendable static func congratulate(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let goal = try await dto(goalID(req), pair: pair, on: req.db)
        _ = try ProgramsAPI.sentKeys(req, allowed: ["text", "milestone_id"], what: "congratulation")
        let input = try req.content.decode(CongratulationInputDTO.self)
        do {
            try await run {
                do {
                    try await Goals.congratulate(input.text ?? "", goal: goal.id, milestone: input.milestone_id, pair: pair, on: req.db)
                } catch let errors as ValidationErrors {
                    throw ValidationErrors(field: "text", errors["congratulation"] ?? errors.summary)
                }
            }
        } catch let invalid as InvalidInput where invalid.errors["congratulation"] != nil {
            // Nothing reached yet to congratulate on: the goal's state, not the text.
            throw Abort(.conflict, reason: invalid.errors["congratulation"] ?? "")
        }
        guard let made = try await Goals.congratulations(of: goal.id, on: req.db).last(where: { $0.authorID == pair.me }) else { throw Abort(.internalServerError) }
        return try await CongratulationDTO(made, pair: pair).encodeResponse(status: .created, for: req)
    }

    /// The congratulations on a goal and its milestones, oldest first (each person sends at most
    /// one for each thing reached, so a goal has a few dozen at most).
    @Sendable static func congratulations(_ req: Request) async throws -> [CongratulationDTO] {
        let pair = try await Pairs.view(req)
        let goal = try await dto(goalID(req), pair: pair, on: req.db)
        return try await Goals.congratulations(of: goal.id, on: req.db).map { try CongratulationDTO($0, pair: pair) }
    }

    @Sendable static func feedback(_ req: Request) async throws -> [FeedbackDTO] {
        let pair = try await Pairs.view(req)
        return try await Reflections.feedback(of: pair, on: req.db).map { FeedbackDTO($0, pair: pair) }
    }

    @Sendable static func sendFeedback(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        _ = try ProgramsAPI.sentKeys(req, allowed: ["kind", "worked", "better", "message"], what: "feedback")
        let input = try req.content.decode(FeedbackInputDTO.self)
        guard let kind = FeedbackKind(rawValue: input.kind ?? "") else {
            throw InvalidInput(message: "Nothing was sent.", errors: ValidationErrors(field: "kind", "kind must be feedback or thanks (got “\((input.kind ?? "").quoted(40))”)."))
        }
        // The note just saved (not the newest of the sender's: another may have landed meanwhile).
        let made = try await run { try await Reflections.send(kind: kind, worked: input.worked ?? "", better: input.better ?? "", message: input.message ?? "", pair: pair, on: req.db) }
        return try await FeedbackDTO(made, pair: pair).encodeResponse(status: .created, for: req)
    }

    @Sendable static func journal(_ req: Request) async throws -> [JournalEntryDTO] {
        let pair = try await Pairs.view(req)
        return try await Reflections.journal(of: pair, sealing: req.noteSealing, on: req.db).map { JournalEntryDTO($0.record, text: $0.text) }
    }

    @Sendable static func write(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        _ = try ProgramsAPI.sentKeys(req, allowed: ["prompt", "text"], what: "journal entry")
        let input = try req.content.decode(JournalInputDTO.self)
        let made = try await run {
            do {
                return try await Reflections.write(input.text ?? "", prompt: input.prompt ?? Journal.prompts.last?.key ?? "free", pair: pair, sealing: req.noteSealing, on: req.db)
            } catch let errors as ValidationErrors {
                var renamed = ValidationErrors()
                for field in errors.order { renamed.add(field == "entry" ? "text" : field, errors[field] ?? "") }
                throw renamed
            } catch let refusal as ProgramStore.Refusal where refusal.field == "entry" {
                throw ProgramStore.Refusal("text", refusal.message)
            }
        }
        return try await JournalEntryDTO(made.record, text: made.text).encodeResponse(status: .created, for: req)
    }
}

struct GoalInputDTO: Content { var title: String?; var description: String?; var term: String?; var target_on: String?; var owner: String? }
struct TitleInputDTO: Content { var title: String? }
struct CongratulationInputDTO: Content { var text: String?; var milestone_id: UUID? }
struct FeedbackInputDTO: Content { var kind: String?; var worked: String?; var better: String?; var message: String? }
struct JournalInputDTO: Content { var prompt: String?; var text: String? }

struct MilestoneDTO: Content {
    var id: UUID
    var title: String
    @Null var reached_at: String?
}

struct GoalDTO: Content {
    var id: UUID
    var owner: String
    var title: String
    var description: String
    var term: String
    @Null var target_on: String?
    @Null var reached_at: String?
    var progress: Int
    var milestones: [MilestoneDTO]

    init(_ goal: Goal) {
        id = goal.id
        owner = goal.owner.rawValue
        title = goal.title
        description = goal.description
        term = goal.term.rawValue
        target_on = goal.targetOn?.description
        reached_at = APITime.text(goal.reachedAt)
        progress = goal.progress
        milestones = goal.milestones.map { MilestoneDTO(id: $0.id, title: $0.title, reached_at: APITime.text($0.reachedAt)) }
    }
}

struct CongratulationDTO: Content {
    var id: UUID
    var author: String
    var text: String
    @Null var milestone_id: UUID?
    var created_at: String

    init(_ record: CongratulationRecord, pair: PairView) throws {
        id = try record.requireID()
        author = pair.side(of: record.authorID).rawValue
        text = record.text
        milestone_id = record.milestoneID
        created_at = APITime.text(record.createdAt) ?? ""
    }
}

struct FeedbackDTO: Content {
    var id: UUID
    var kind: String
    var author: String
    var worked: String
    var better: String
    var message: String
    var created_at: String

    init(_ record: FeedbackRecord, pair: PairView) {
        id = record.id ?? UUID()
        kind = record.kind
        author = pair.side(of: record.authorID).rawValue
        worked = record.worked
        better = record.better
        message = record.message
        created_at = APITime.text(record.createdAt) ?? ""
    }
}

struct JournalEntryDTO: Content {
    var id: UUID
    var prompt: String
    var text: String
    var created_at: String

    init(_ record: JournalEntryRecord, text: String) {
        id = record.id ?? UUID()
        prompt = record.prompt
        self.text = text
        created_at = APITime.text(record.createdAt) ?? ""
    }
}
