import Fluent
import Foundation
import TrellisCore
import Vapor

/// A pair's goals in the browser. The pair only; another pair's goal or milestone is 404.
enum GoalController {
    static func register(_ routes: any RoutesBuilder) {
        let goals = routes.grouped("mentorships", ":id", "goals")
        goals.get(use: list)
        goals.post(use: create)
        goals.get(":goal", use: show)
        goals.post(":goal", "milestones", use: addMilestone)
        goals.post(":goal", "milestones", ":milestone", "reached", use: reachMilestone)
        goals.post(":goal", "reached", use: reachGoal)
        goals.post(":goal", "congratulations", use: congratulate)
        goals.post(":goal", "edit", use: editGoal)
        goals.post(":goal", "delete", use: deleteGoal)
    }

    struct GoalInput: Content { var title: String?; var description: String?; var term: String?; var target_on: String?; var owner: String? }
    struct MilestoneInput: Content { var milestone: String? }
    struct CongratulationInput: Content { var congratulation: String?; var milestone_id: String? }

    static func goalID(_ req: Request) -> UUID? { req.parameters.get("goal").flatMap(UUID.parse) }

    @Sendable static func list(_ req: Request) async throws -> HTML {
        let pair = try await Pairs.view(req)
        let notice: String? = switch req.query[String.self, at: "done"] {
        case "set": "Goal set. \(pair.otherName) is told."
        case "removed": "The goal is removed."
        default: nil
        }
        return GoalPages.list(req.page, pair: pair, goals: try await Goals.goals(of: pair, on: req.db), form: .init(), notice: notice)
    }

    @Sendable static func create(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let input = try req.content.decode(GoalInput.self)
        var form = GoalPages.GoalForm(title: input.title ?? "", description: input.description ?? "", term: input.term ?? "", targetOn: input.target_on ?? "", owner: input.owner ?? "")
        do {
            let goal = try await Goals.create(title: form.title, description: form.description, term: form.term, targetOn: form.targetOn, owner: form.owner, pair: pair, on: req.db)
            return req.redirect(to: "\(pair.path)/goals/\(try goal.requireID().uuidString)?done=set", redirectType: .normal)
        } catch let errors as ValidationErrors {
            form.errors = errors
            return try await req.invalidForm(GoalPages.list(req.page, pair: pair, goals: try await Goals.goals(of: pair, on: req.db), form: form))
        } catch let refusal as ProgramStore.Refusal {
            form.errors = ValidationErrors(field: refusal.field == "mentorship" ? "title" : refusal.field, refusal.message)
            return try await HTMLPage(status: .conflict, html: GoalPages.list(req.page, pair: pair, goals: try await Goals.goals(of: pair, on: req.db), form: form)).encodeResponse(for: req)
        }
    }

    static func detail(_ req: Request, pair: PairView, notice: String? = nil, error: String? = nil, errors: ValidationErrors = .init(), sent: [String: String] = [:]) async throws -> HTML {
        let id = goalID(req)
        guard let id, let goal = try await Goals.goals(of: pair, on: req.db).first(where: { $0.id == id }) else { throw Abort(.notFound, reason: "There is no such goal.") }
        let records = try await Goals.congratulations(of: id, on: req.db)
        let cheers = records.map { record in
            (author: pair.name(of: record.authorID), mine: record.authorID == pair.me, on: record.milestoneID.flatMap { m in goal.milestones.first { $0.id == m }?.title } ?? goal.title,
             text: record.text, at: record.createdAt)
        }
        let mine = Set(records.filter { $0.authorID == pair.me }.map(\.milestoneID))
        return GoalPages.detail(req.page, .init(pair: pair, goal: goal, congratulations: cheers, congratulated: mine, notice: notice, error: error, errors: errors, sent: sent))
    }

    @Sendable static func show(_ req: Request) async throws -> HTML {
        let pair = try await Pairs.view(req)
        let notice: String? = switch req.query[String.self, at: "done"] {
        case "set": "Goal set. \(pair.otherName) is told. Add milestones: steps you will see on the way."
        case "milestone": "Milestone added."
        case "milestone-reached": "Milestone reached: well done! \(pair.otherName) is told."
        case "reached": "Goal reached: congratulations! \(pair.otherName) is told."
        case "congratulated": "Congratulation sent."
        case "changed": "Changes saved."
        default: nil
        }
        return try await detail(req, pair: pair, notice: notice)
    }

    /// Runs a change to a goal and goes back to it, or shows it again with the problem.
    static func change(_ req: Request, done: String, sent: [String: String] = [:], _ body: @Sendable (PairView) async throws -> Void) async throws -> Response {
        let pair = try await Pairs.view(req)
        do {
            try await body(pair)
            return req.redirect(to: "\(pair.path)/goals/\(goalID(req)?.uuidString ?? "")?done=\(done)", redirectType: .normal)
        } catch is Goals.NotFound {
            throw Abort(.notFound, reason: "There is no such goal or milestone.")
        } catch let errors as ValidationErrors {
            return try await req.invalidForm(try await detail(req, pair: pair, errors: errors, sent: sent))
        } catch let refusal as ProgramStore.Refusal {
            let page = try await detail(req, pair: pair, error: refusal.message, sent: sent)
            return try await HTMLPage(status: .conflict, html: page).encodeResponse(for: req)
        }
    }

    @Sendable static func editGoal(_ req: Request) async throws -> Response {
        let input = try req.content.decode(GoalInput.self)
        let sent = ["title": input.title ?? "", "description": input.description ?? "", "term": input.term ?? "", "target_on": input.target_on ?? ""]
        return try await change(req, done: "changed", sent: sent) { pair in
            try await Goals.edit(goalID(req), title: sent["title"]!, description: sent["description"]!, term: sent["term"]!, targetOn: sent["target_on"]!, pair: pair, on: req.db)
        }
    }

    @Sendable static func deleteGoal(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        do {
            try await Goals.delete(goalID(req), pair: pair, on: req.db)
            return req.redirect(to: "\(pair.path)/goals?done=removed", redirectType: .normal)
        } catch is Goals.NotFound {
            throw Abort(.notFound, reason: "There is no such goal or milestone.")
        } catch let refusal as ProgramStore.Refusal {
            return try await HTMLPage(status: .conflict, html: try await detail(req, pair: pair, error: refusal.message)).encodeResponse(for: req)
        }
    }

    @Sendable static func addMilestone(_ req: Request) async throws -> Response {
        let text = try req.content.decode(MilestoneInput.self).milestone ?? ""
        return try await change(req, done: "milestone", sent: ["milestone": text]) { pair in
            try await Goals.addMilestone(text, to: goalID(req), pair: pair, on: req.db)
        }
    }

    @Sendable static func reachMilestone(_ req: Request) async throws -> Response {
        try await change(req, done: "milestone-reached") { pair in
            try await Goals.reachMilestone(req.parameters.get("milestone").flatMap(UUID.parse), of: goalID(req), pair: pair, on: req.db)
        }
    }

    @Sendable static func reachGoal(_ req: Request) async throws -> Response {
        try await change(req, done: "reached") { pair in
            try await Goals.reachGoal(goalID(req), pair: pair, on: req.db)
        }
    }

    @Sendable static func congratulate(_ req: Request) async throws -> Response {
        let input = try req.content.decode(CongratulationInput.self)
        let milestone = input.milestone_id.flatMap { $0.isEmpty ? nil : $0 }
        if let milestone, UUID.parse(milestone) == nil { throw Abort(.notFound, reason: "There is no such milestone.") }
        return try await change(req, done: "congratulated", sent: ["congratulation": input.congratulation ?? ""]) { pair in
            try await Goals.congratulate(input.congratulation ?? "", goal: goalID(req), milestone: milestone.flatMap(UUID.parse), pair: pair, on: req.db)
        }
    }
}
