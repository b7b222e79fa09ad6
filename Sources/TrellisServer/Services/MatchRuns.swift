import Fluent
import FluentSQL
import Foundation
import TrellisCore
import TrellisMatching

/// Starting, reviewing and publishing a program's matching runs. Each change is one transaction
/// under a lock on the program.
enum MatchRuns {
    typealias Refusal = ProgramStore.Refusal

    /// Queues a run of the program's matching with its current roster, rules, weights and review
    /// decisions; a server's job worker executes it.
    static func start(_ programID: UUID, by admin: User?, now: Date = Date(), on db: any Database) async throws -> MatchRun {
        try await DatabaseWrites.transaction(on: db) { tx in
            let program = try await ProgramStore.lock(programID, on: tx)
            guard program.programState == .matching else {
                throw Refusal("Matching runs when the program is matching (it is \(program.programState.label.lowercased())): close enrolment first.")
            }
            guard program.matchingMode != .selfSelect else {
                throw Refusal("In this program mentees choose their mentors: there is no matching run.")
            }
            if try await MatchRun.query(on: tx).filter(\.$programID == programID)
                .filter(\.$state ~~ [MatchRun.State.queued.rawValue, MatchRun.State.running.rawValue]).first() != nil {
                throw Refusal("A run of this program is already in progress: wait for it to finish.")
            }
            if try await ProgramStore.hasMentorships(programID, on: tx) {
                throw Refusal("This program's pairs are already published.")
            }
            let number = (try await MatchRun.query(on: tx).filter(\.$programID == programID).max(\.$number) ?? 0) + 1
            let run = try MatchRun(program: program, number: number, startedBy: admin?.id, now: now)
            try await run.create(on: tx)
            try await JobQueue.enqueue(ProgramMatching.jobKind, subject: try run.requireID(), now: now, on: tx)
            try await PeopleStore.audit("match.start", "“\(program.name)”: run \(number)", actorID: admin?.id, on: tx)
            return run
        }
    }

    // MARK: Review

    /// What a manual pair would be: its score and reasons, and every rule it breaks (empty when
    /// it may be made).
    struct PairCheck: Sendable {
        var score: Int64
        var reasons: [(contribution: Int64, sentence: String)]
        var problems: [String]
    }

    /// Judges a pair of the program's participants against every hard rule: both enrolled in
    /// those roles, the engine's rules (reporting line, department, minimum score, exclusions,
    /// a repeat pair), the mentor's capacity against the pairs already locked to them, and the
    /// mentee not already locked to someone else.
    static func check(program: Program, mentee: UUID, mentor: UUID, on db: any Database) async throws -> PairCheck {
        let programID = try program.requireID()
        let enrolments = try await Enrolment.query(on: db).filter(\.$programID == programID).filter(\.$userID ~~ [mentee, mentor]).all()
        var problems: [String] = []
        if mentee == mentor { problems.append("A person cannot mentor themselves.") }
        guard enrolments.first(where: { $0.userID == mentee })?.programRole == .mentee else {
            return PairCheck(score: 0, reasons: [], problems: problems + ["The first person is not a mentee in this program."])
        }
        guard let mentorEnrolment = enrolments.first(where: { $0.userID == mentor }), mentorEnrolment.programRole == .mentor else {
            return PairCheck(score: 0, reasons: [], problems: problems + ["The second person is not a mentor in this program."])
        }
        let input = try await ProgramMatching.input(for: program, only: [mentee, mentor], on: db)
        // The pair's own lock does not count against it; everything else does.
        var options = input.options
        options.locks = []
        // Only this pair's exclusion concerns it (the engine refuses exclusions of people it
        // was not given).
        options.exclusions = options.exclusions.filter { $0.mentee == mentee.uuidString && $0.mentor == mentor.uuidString }
        let engine = try MatchEngine(participants: input.participants, options: options)
        let explanation: PairExplanation
        do {
            explanation = try engine.explain(menteeID: mentee.uuidString, mentorID: mentor.uuidString)
        } catch let error as MatchInputError {
            return PairCheck(score: 0, reasons: [], problems: problems + [ProgramMatching.named(error.message, input.names)])
        }
        if let broken = explanation.brokenRule { problems.append(ProgramMatching.named(broken.sentence, input.names)) }
        if !explanation.factors.isEmpty, explanation.brokenRule == nil, options.minimumScore > 0,
           ScoreUnits.value(explanation.score) < options.minimumScore {
            problems.append("The pair scores \(ScoreUnits.format(explanation.score)), below the program's minimum of \(options.minimumScore).")
        }
        let decisions = try await MatchDecision.query(on: db).filter(\.$programID == programID).all()
        if let other = decisions.first(where: { $0.menteeID == mentee && $0.mentorID != mentor && $0.decisionKind != .exclude }) {
            let name = try await User.find(other.mentorID, on: db)?.name ?? "another mentor"
            problems.append("\(input.names[mentee.uuidString] ?? "The mentee") is already locked to \(name): unlock that pair first.")
        }
        let capacity = input.participants.first { $0.id == mentor.uuidString }?.capacity ?? 0
        let locked = decisions.filter { $0.mentorID == mentor && $0.menteeID != mentee && $0.decisionKind != .exclude }.count
        if locked >= capacity {
            problems.append("\(input.names[mentor.uuidString] ?? "The mentor") is full: \(locked) of \(capacity) places are locked to other mentees.")
        }
        let reasons = ProgramMatching.namedReasons(explanation, input.names)
        var seen = Set<String>()
        return PairCheck(score: explanation.score, reasons: explanation.brokenRule == nil ? reasons : [], problems: problems.filter { seen.insert($0).inserted })
    }

    /// Records a review decision: lock a proposed pair, exclude a pair, or make a pair by hand
    /// (refused with every rule it breaks). A new decision on the same pair replaces the old.
    /// Returns the decision it replaced on the same pair, if any.
    @discardableResult
    static func decide(_ kind: MatchDecision.Kind, program programID: UUID, mentee: UUID, mentor: UUID, by admin: User?, now: Date = Date(), on db: any Database) async throws -> MatchDecision.Kind? {
        try await DatabaseWrites.transaction(on: db) { tx in
            let program = try await ProgramStore.lock(programID, on: tx)
            guard program.programState == .matching else { throw Refusal("Pairs are reviewed while the program is matching (it is \(program.programState.label.lowercased())).") }
            // The pair's earlier decision goes first, so that locking an excluded pair is judged
            // without its own exclusion (a refusal rolls the removal back).
            let replaced = try await MatchDecision.query(on: tx).filter(\.$programID == programID).filter(\.$menteeID == mentee).filter(\.$mentorID == mentor).first()
            try await replaced?.delete(on: tx)
            if kind != .exclude {
                let check = try await check(program: program, mentee: mentee, mentor: mentor, on: tx)
                if !check.problems.isEmpty { throw Refusal("pair", check.problems.joined(separator: " ")) }
            } else if mentee == mentor {
                throw Refusal("pair", "A person cannot mentor themselves.")
            }
            try await MatchDecision(programID: programID, menteeID: mentee, mentorID: mentor, kind: kind, createdBy: admin?.id, now: now).create(on: tx)
            program.decisionsVersion += 1
            try await program.save(on: tx)
            try await PeopleStore.audit("match.\(kind.rawValue)", "“\(program.name)”", actorID: admin?.id, on: tx)
            return replaced?.decisionKind
        }
    }

    static func undo(decision id: UUID, program programID: UUID, by admin: User?, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            let program = try await ProgramStore.lock(programID, on: tx)
            guard program.programState == .matching else { throw Refusal("Pairs are reviewed while the program is matching.") }
            guard let decision = try await MatchDecision.find(id, on: tx), decision.programID == programID else { throw ProgramStore.NotFound() }
            try await decision.delete(on: tx)
            program.decisionsVersion += 1
            try await program.save(on: tx)
            try await PeopleStore.audit("match.undo", "“\(program.name)”: \(decision.kind)", actorID: admin?.id, on: tx)
        }
    }

    // MARK: Publishing

    /// Makes every pair of a finished, current run a mentorship, in one transaction; notifies
    /// both people; moves the program to active. Refused, changing nothing, when the run is not
    /// finished, is stale, or the program's pairs are already published.
    static func publish(_ runID: UUID, program programID: UUID, by admin: User?, now: Date = Date(), today: CalendarDay? = nil, on db: any Database) async throws -> Int {
        try await DatabaseWrites.transaction(on: db) { tx in
            let program = try await ProgramStore.lock(programID, on: tx)
            guard let run = try await MatchRun.find(runID, on: tx), run.programID == programID else { throw ProgramStore.NotFound() }
            let published = try await ProgramStore.hasMentorships(programID, on: tx)
            if run.publishedAt != nil || published {
                throw Refusal("This program's pairs are already published.")
            }
            guard program.programState == .matching else {
                throw Refusal("Only a program that is matching can publish pairs (it is \(program.programState.label.lowercased())).")
            }
            guard run.runState == .done else { throw Refusal("Only a finished run can be published (this one is \(run.state)).") }
            if let stale = run.staleness(for: program) { throw Refusal(stale) }
            guard let sql = tx as? any SQLDatabase else { return 0 }
            let pairs = try await PlainRows.all("SELECT mentee_id, mentor_id FROM match_run_pairs WHERE run_id = \(bind: runID) AND mentor_id IS NOT NULL ORDER BY position", on: tx)
            guard !pairs.isEmpty else { throw Refusal("This run made no pairs: there is nothing to publish.") }
            let started = (today ?? CalendarDay(now, in: TimeZone(identifier: "UTC")!)).description
            let link = "/mentoring"
            for start in stride(from: 0, to: pairs.count, by: 400) {
                let chunk = pairs[start..<min(start + 400, pairs.count)]
                var mentorships = sql.insert(into: Mentorship.schema).columns("id", "program_id", "mentor_id", "mentee_id", "state", "started_on", "created_at")
                var notices = sql.insert(into: InAppNotification.schema).columns("id", "user_id", "kind", "title", "body", "link", "created_at", "read_at")
                for row in chunk {
                    let mentee = try row.uuid("mentee_id"), mentor = try row.uuid("mentor_id")
                    mentorships = mentorships.values(
                        SQLBind(OrderedUUID.make(now: now)), SQLBind(programID), SQLBind(mentor), SQLBind(mentee), SQLBind(MentorshipState.active.rawValue),
                        SQLBind(started), SQLBind(now)
                    )
                    for (person, role) in [(mentee, "mentor"), (mentor, "mentee")] {
                        notices = notices.values(
                            SQLBind(OrderedUUID.make(now: now)), SQLBind(person), SQLBind(NotificationKind.matchPublished.rawValue),
                            SQLBind("You have a \(role) in “\(program.name)”"), SQLBind("The program's pairs are published. Open My mentoring to meet your \(role) and see why you were matched."),
                            SQLBind(link), SQLBind(now), SQLBind(Date?.none)
                        )
                    }
                }
                try await mentorships.run()
                try await notices.run()
            }
            run.publishedAt = now
            try await run.save(on: tx)
            program.state = ProgramState.active.rawValue
            program.updatedAt = now
            try await program.save(on: tx)
            try await PeopleStore.audit("match.publish", "“\(program.name)”: run \(run.number), \(pairs.count) pairs", actorID: admin?.id, on: tx)
            return pairs.count
        }
    }
}

/// What a notification is about (stored as its raw value).
enum NotificationKind: String, Sendable {
    case requestReceived = "request-received"
    case requestAccepted = "request-accepted"
    case requestDeclined = "request-declined"
    case requestExpired = "request-expired"
    case waitlistOpened = "waitlist-opened"
    case matchPublished = "match-published"
}
