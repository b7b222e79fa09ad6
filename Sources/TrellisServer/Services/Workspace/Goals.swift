import Fluent
import Foundation
import TrellisCore

/// A pair's goals and milestones, and celebrating them. Every change runs in one transaction
/// holding the mentorship's row; a goal or milestone of another pair is `NotFound`.
enum Goals {
    struct NotFound: Error {}

    static func records(of pair: PairView, on db: any Database) async throws -> [GoalRecord] {
        try await GoalRecord.query(on: db).filter(\.$mentorshipID == pair.id).sort(\.$createdAt).limit(GoalRules.mostGoals).all()
    }

    /// The pair's goals with their milestones, as the rules read them.
    static func goals(of pair: PairView, on db: any Database) async throws -> [Goal] {
        let records = try await records(of: pair, on: db)
        let ids = records.compactMap(\.id)
        let milestones = ids.isEmpty ? [] : try await MilestoneRecord.query(on: db).filter(\.$goalID ~~ ids).sort(\.$position).limit(GoalRules.mostGoals * GoalRules.mostMilestones).all()
        let byGoal = Dictionary(grouping: milestones, by: \.goalID)
        return records.compactMap { record in
            record.id.map { id in
                Goal(id: id, owner: PairSide(rawValue: record.ownerSide) ?? .mentee, title: record.title, description: record.description,
                     term: GoalTerm(rawValue: record.term) ?? .short, targetOn: record.targetOn.flatMap(CalendarDay.init),
                     milestones: (byGoal[id] ?? []).compactMap { m in m.id.map { Milestone(id: $0, title: m.title, reachedAt: m.reachedAt) } }, reachedAt: record.reachedAt)
            }
        }
    }

    static func find(_ id: UUID?, of pair: PairView, on db: any Database) async throws -> GoalRecord {
        guard let id, let goal = try await GoalRecord.find(id, on: db), goal.mentorshipID == pair.id else { throw NotFound() }
        return goal
    }

    static func create(title: String, description: String, term: String, targetOn: String, owner: String, pair: PairView, now: Date = Date(), on db: any Database) async throws -> GoalRecord {
        let parsed: (title: String, description: String, term: GoalTerm, targetOn: CalendarDay?, owner: PairSide)
        switch GoalRules.goal(title: title, description: description, term: term, targetOn: targetOn, owner: owner, today: pair.today) {
        case .success(let value): parsed = value
        case .failure(let errors): throw errors
        }
        return try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            if try await GoalRecord.query(on: tx).filter(\.$mentorshipID == pair.id).count() >= GoalRules.mostGoals {
                throw ProgramStore.Refusal("title", "You have \(GoalRules.mostGoals) goals, as many as a mentorship keeps.")
            }
            let goal = GoalRecord()
            goal.id = OrderedUUID.make(now: now)
            goal.mentorshipID = pair.id
            goal.ownerSide = parsed.owner.rawValue
            goal.title = parsed.title
            goal.description = parsed.description
            goal.term = parsed.term.rawValue
            goal.targetOn = parsed.targetOn?.description
            goal.createdBy = pair.me
            goal.createdAt = now
            try await goal.create(on: tx)
            try await Pairs.record(.goalSet, in: pair.id, by: pair.me, subject: parsed.title, now: now, on: tx)
            try await Pairs.notify(pair, title: "\(pair.myName) set a goal", body: parsed.owner == .mentor ? "A goal of the mentor's own (reverse mentoring)." : "Help reach it: add milestones together.",
                                   link: "\(pair.path)/goals/\(try goal.requireID().uuidString)", kind: "goal-set", now: now, on: tx)
            return goal
        }
    }

    static func addMilestone(_ title: String, to goalID: UUID?, pair: PairView, now: Date = Date(), on db: any Database) async throws {
        let clean = TextInput.line(title)
        if let problem = GoalRules.milestone.problem(clean) { throw ValidationErrors(field: "milestone", problem) }
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let goal = try await find(goalID, of: pair, on: tx)
            let id = try goal.requireID()
            let count = try await MilestoneRecord.query(on: tx).filter(\.$goalID == id).count()
            if count >= GoalRules.mostMilestones { throw ProgramStore.Refusal("milestone", "This goal has \(GoalRules.mostMilestones) milestones, as many as a goal keeps.") }
            let milestone = MilestoneRecord()
            milestone.id = OrderedUUID.make(now: now)
            milestone.goalID = id
            milestone.title = clean
            milestone.position = count + 1
            milestone.createdAt = now
            try await milestone.create(on: tx)
        }
    }

    /// Marks a milestone reached (once): celebrated on the timeline, the other person told.
    static func reachMilestone(_ milestoneID: UUID?, of goalID: UUID?, pair: PairView, now: Date = Date(), on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let goal = try await find(goalID, of: pair, on: tx)
            guard let milestoneID, let milestone = try await MilestoneRecord.find(milestoneID, on: tx), milestone.goalID == goal.id else { throw NotFound() }
            guard milestone.reachedAt == nil else { throw ProgramStore.Refusal("goal", "This milestone was reached already.") }
            milestone.reachedAt = now
            try await milestone.update(on: tx)
            try await Pairs.record(.milestoneReached, in: pair.id, by: pair.me, subject: milestone.title, now: now, on: tx)
            try await Pairs.notify(pair, title: "A milestone reached: \(milestone.title)", body: "On the way to “\(goal.title)”. Send a congratulation!",
                                   link: "\(pair.path)/goals/\(try goal.requireID().uuidString)", kind: "milestone-reached", now: now, on: tx)
        }
    }

    /// Marks a goal reached (once), with the same celebration.
    static func reachGoal(_ goalID: UUID?, pair: PairView, now: Date = Date(), on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let goal = try await find(goalID, of: pair, on: tx)
            guard goal.reachedAt == nil else { throw ProgramStore.Refusal("goal", "This goal was reached already.") }
            goal.reachedAt = now
            try await goal.update(on: tx)
            try await Pairs.record(.goalReached, in: pair.id, by: pair.me, subject: goal.title, now: now, on: tx)
            try await Pairs.notify(pair, title: "A goal reached: \(goal.title)", body: "Celebrate it: send a congratulation.",
                                   link: "\(pair.path)/goals/\(try goal.requireID().uuidString)", kind: "goal-reached", now: now, on: tx)
        }
    }

    /// Changes a goal's title, description, term and target date (whose goal it is stays). A
    /// target date kept as it was may have passed; a new one must be today or later.
    static func edit(_ goalID: UUID?, title: String, description: String, term: String, targetOn: String, pair: PairView, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let goal = try await find(goalID, of: pair, on: tx)
            let kept = goal.targetOn.flatMap(CalendarDay.init)
            let sentDay = CalendarDay(targetOn.trimmingCharacters(in: .whitespaces))
            let checkedFrom = kept.map { sentDay == $0 ? min($0, pair.today) : pair.today } ?? pair.today
            switch GoalRules.goal(title: title, description: description, term: term, targetOn: targetOn, owner: goal.ownerSide, today: checkedFrom) {
            case .failure(let errors): throw errors
            case .success(let parsed):
                goal.title = parsed.title
                goal.description = parsed.description
                goal.term = parsed.term.rawValue
                goal.targetOn = parsed.targetOn?.description
                try await goal.update(on: tx)
            }
        }
    }

    /// Removes a goal with its milestones and congratulations (the timeline keeps what happened).
    static func delete(_ goalID: UUID?, pair: PairView, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let goal = try await find(goalID, of: pair, on: tx)
            let id = try goal.requireID()
            try await CongratulationRecord.query(on: tx).filter(\.$goalID == id).delete()
            try await MilestoneRecord.query(on: tx).filter(\.$goalID == id).delete()
            try await goal.delete(on: tx)
        }
    }

    /// A congratulation on a reached goal or milestone.
    static func congratulate(_ text: String, goal goalID: UUID?, milestone milestoneID: UUID?, pair: PairView, now: Date = Date(), on db: any Database) async throws {
        let clean = TextInput.paragraphs(text)
        if let problem = GoalRules.congratulation.problem(clean) { throw ValidationErrors(field: "congratulation", problem) }
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let goal = try await find(goalID, of: pair, on: tx)
            let id = try goal.requireID()
            var subject = goal.title
            if let milestoneID {
                guard let milestone = try await MilestoneRecord.find(milestoneID, on: tx), milestone.goalID == id else { throw NotFound() }
                guard milestone.reachedAt != nil else { throw ProgramStore.Refusal("congratulation", "This milestone is not reached yet: congratulate when it is.") }
                subject = milestone.title
            } else if goal.reachedAt == nil, try await MilestoneRecord.query(on: tx).filter(\.$goalID == id).filter(\.$reachedAt != nil).count() == 0 {
                throw ProgramStore.Refusal("congratulation", "Nothing of this goal is reached yet: congratulate when a milestone or the goal is.")
            }
            // Congratulations come from the other person, once for each thing reached.
            if goal.ownerSide == pair.side.rawValue {
                throw ProgramStore.Refusal("congratulation", "This is your own goal: \(pair.otherName) can congratulate you on it.")
            }
            let mine = CongratulationRecord.query(on: tx).filter(\.$goalID == id).filter(\.$authorID == pair.me)
            if try await (milestoneID.map { mine.filter(\.$milestoneID == $0) } ?? mine.filter(\.$milestoneID == nil)).count() > 0 {
                throw ProgramStore.Refusal("congratulation", "You congratulated \(pair.otherName) on “\(subject)” already.")
            }
            if try await CongratulationRecord.query(on: tx).filter(\.$goalID == id).count() >= 200 {
                throw ProgramStore.Refusal("congratulation", "This goal has 200 congratulations already.")
            }
            let record = CongratulationRecord()
            record.id = OrderedUUID.make(now: now)
            record.goalID = id
            record.milestoneID = milestoneID
            record.authorID = pair.me
            record.text = clean
            record.createdAt = now
            try await record.create(on: tx)
            try await Pairs.record(.congratulated, in: pair.id, by: pair.me, subject: subject, now: now, on: tx)
            try await Pairs.notify(pair, title: "\(pair.myName) congratulates you", body: "On “\(subject)”.", link: "\(pair.path)/goals/\(id.uuidString)", kind: "congratulated", now: now, on: tx)
        }
    }

    static func congratulations(of goalID: UUID, on db: any Database) async throws -> [CongratulationRecord] {
        try await CongratulationRecord.query(on: db).filter(\.$goalID == goalID).sort(\.$createdAt).limit(200).all()
    }
}
