import Fluent
import FluentSQL
import Foundation
import TrellisCore
import TrellisMatching

/// Programs and their rosters: every change here is one transaction that reads what it depends
/// on under a lock on the program, so that a check (the program is enrolling, the person is not
/// enrolled yet) still holds when the write lands. Rules come from TrellisCore
/// (`ProgramDraft`, `ProgramState`, `EnrolmentRules`); this turns them into rows.
enum ProgramStore {
    /// A program that is not there, or that the asker may not see (the same answer for both).
    struct NotFound: Error {}

    /// A refusal in words for the person who asked, with the field it concerns.
    struct Refusal: Error, Equatable {
        var field: String
        var message: String
        init(_ field: String, _ message: String) { self.field = field; self.message = message }
        init(_ message: String) { self.init("program", message) }
    }

    // MARK: Reading

    static func find(_ id: UUID, on db: any Database) async throws -> Program? {
        try await Program.find(id, on: db)
    }

    /// Holds the program's row until the transaction ends (PostgreSQL; SQLite has one writer at
    /// a time already) and reads it.
    static func lock(_ id: UUID, on tx: any Database) async throws -> Program {
        if let sql = tx as? any SQLDatabase, SearchIndex.isPostgres(sql) {
            try await sql.raw("SELECT id FROM programs WHERE id = \(bind: id) FOR UPDATE").run()
        }
        guard let program = try await Program.find(id, on: tx) else { throw NotFound() }
        return program
    }

    /// The programs a person sees on the programs page: every program for a program manager;
    /// otherwise those open for enrolment and those they are enrolled in. Newest first, at most
    /// `limit` (a page's worth: an organisation runs tens of programs, not thousands).
    static func visible(to viewer: PageContext.Viewer, limit: Int = 200, on db: any Database) async throws -> [Program] {
        if viewer.isAdmin {
            return try await Program.query(on: db).sort(\.$createdAt, .descending).limit(limit).all()
        }
        let mine = try await Enrolment.query(on: db).filter(\.$userID == viewer.id).limit(limit).all().map(\.programID)
        return try await Program.query(on: db).group(.or) { group in
            group.filter(\.$state == ProgramState.enrolling.rawValue)
            if !mine.isEmpty { group.filter(\.$id ~~ mine) }
        }.sort(\.$createdAt, .descending).limit(limit).all()
    }

    /// Whether a person may see a program's page: program managers always; others when it is
    /// open for enrolment or they are enrolled in it. Drafts are the managers' alone.
    static func canSee(_ program: Program, viewer: PageContext.Viewer, enrolment: Enrolment?) -> Bool {
        viewer.isAdmin || enrolment != nil || program.programState == .enrolling
    }

    static func enrolment(of userID: UUID, in programID: UUID, on db: any Database) async throws -> Enrolment? {
        try await Enrolment.query(on: db).filter(\.$programID == programID).filter(\.$userID == userID).first()
    }

    static func isMatched(_ userID: UUID, in programID: UUID, on db: any Database) async throws -> Bool {
        try await Mentorship.query(on: db).filter(\.$programID == programID).group(.or) { group in
            group.filter(\.$menteeID == userID).filter(\.$mentorID == userID)
        }.filter(\.$state != MentorshipState.concluded.rawValue).first() != nil
    }

    static func hasMentorships(_ programID: UUID, on db: any Database) async throws -> Bool {
        try await Mentorship.query(on: db).filter(\.$programID == programID).first() != nil
    }

    // MARK: Settings

    /// Creates a program in draft. Call with a cleaned, validated draft and valid weights.
    static func create(_ draft: ProgramDraft, weights: MatchWeights, by admin: User, now: Date = Date(), on db: any Database) async throws -> Program {
        let program = Program(draft, weights: weights, createdBy: admin.id, now: now)
        try await DatabaseWrites.transaction(on: db) { tx in
            try await program.create(on: tx)
            try await PeopleStore.audit("program.create", "“\(draft.name)” (\(draft.mode.rawValue))", actorID: admin.id, on: tx)
        }
        return program
    }

    /// Changes a program's settings, within what its state allows (`ProgramRules.changeProblems`).
    /// Throws `ValidationErrors` by field.
    static func update(_ id: UUID, _ draft: ProgramDraft, weights: MatchWeights, by admin: User, now: Date = Date(), on db: any Database) async throws -> Program {
        try await DatabaseWrites.transaction(on: db) { tx in
            let program = try await lock(id, on: tx)
            let state = program.programState
            var errors = ProgramRules.changeProblems(from: program.draft, to: draft, state: state)
            if (state == .active || state == .concluded), program.weights != weights {
                errors.add("weights", "Weights cannot change once the program is \(state.label.lowercased()): its pairs were scored with them.")
            }
            try errors.throwIfAny()
            program.apply(draft, weights: weights)
            program.updatedAt = now
            try await program.save(on: tx)
            try await PeopleStore.audit("program.update", "“\(draft.name)”", actorID: admin.id, on: tx)
            return program
        }
    }

    /// Moves a program to another state, if its rules allow (`ProgramState.problem`).
    static func move(_ id: UUID, to next: ProgramState, by admin: User, now: Date = Date(), on db: any Database) async throws -> Program {
        try await DatabaseWrites.transaction(on: db) { tx in
            let program = try await lock(id, on: tx)
            let facts = ProgramState.Facts(mentors: program.mentorCount, mentees: program.menteeCount, hasMentorships: try await hasMentorships(id, on: tx))
            if let problem = program.programState.problem(movingTo: next, mode: program.matchingMode, facts: facts) {
                throw Refusal("state", problem)
            }
            let from = program.programState
            program.state = next.rawValue
            program.updatedAt = now
            try await program.save(on: tx)
            if next == .concluded {
                try await Mentorship.query(on: tx).filter(\.$programID == id).filter(\.$state != MentorshipState.concluded.rawValue)
                    .set(\.$state, to: MentorshipState.concluded.rawValue).update()
            }
            try await PeopleStore.audit("program.state", "“\(program.name)”: \(from.rawValue) → \(next.rawValue)", actorID: admin.id, on: tx)
            return program
        }
    }

    // MARK: Roster

    /// Someone to enrol: the person, their role, and what was given for this program.
    struct Joiner: Sendable {
        var userID: UUID
        var role: ProgramRole
        var capacity: Int?
        var statement: String
    }

    /// Enrols people in one transaction: all of them or, when one cannot be enrolled, none (the
    /// refusal names them by their place in `joiners`, from 0). `selfJoined`: a participant's own
    /// join, which also needs enrolment to be open today; otherwise a program manager's.
    @discardableResult
    static func enrol(
        _ joiners: [Joiner], in programID: UUID, selfJoined: Bool, by actor: User, now: Date = Date(), today: CalendarDay? = nil, on db: any Database
    ) async throws -> Program {
        do {
            return try await DatabaseWrites.transaction(on: db) { tx in
                let program = try await lock(programID, on: tx)
                if !selfJoined, let problem = EnrolmentRules.managerEnrolProblem(state: program.programState) { throw Refusal(problem) }
                let ids = joiners.map(\.userID)
                var existing: [UUID: ProgramRole] = [:]
                var profiles: [UUID: Int?] = [:]
                var active: Set<UUID> = []
                for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
                    for enrolment in try await Enrolment.query(on: tx).filter(\.$programID == programID).filter(\.$userID ~~ chunk).all() {
                        existing[enrolment.userID] = enrolment.programRole
                    }
                    for row in try await PlainRows.all("""
                        SELECT u.id, u.is_active, p.capacity_mentees FROM users u LEFT JOIN profiles p ON p.id = u.id WHERE u.id IN (\(binds: chunk as [any Encodable & Sendable]))
                        """, on: tx) {
                        let id = try row.uuid("id")
                        profiles[id] = try row.optionalInt("capacity_mentees")
                        if try row.bool("is_active") { active.insert(id) }
                    }
                }
                var seen: Set<UUID> = []
                var mentors = 0, mentees = 0
                for (index, joiner) in joiners.enumerated() {
                    func refuse(_ field: String, _ message: String) -> Refusal {
                        Refusal(joiners.count == 1 ? field : "\(index)", message)
                    }
                    guard let profileCapacity = profiles[joiner.userID] else { throw refuse("person", "There is no such person.") }
                    guard active.contains(joiner.userID) else { throw refuse("person", "This person's account is deactivated.") }
                    if selfJoined {
                        let joining = EnrolmentRules.Joining(
                            state: program.programState, today: today ?? CalendarDay(now, in: TimeZone(identifier: "UTC")!),
                            opens: program.draft.enrolmentOpens, closes: program.draft.enrolmentCloses, enrolledAs: existing[joiner.userID]
                        )
                        if let problem = EnrolmentRules.refusal(joining: joining) { throw refuse("program", problem) }
                    } else if let role = existing[joiner.userID] {
                        throw refuse("person", "Already enrolled in this program as a \(role.rawValue).")
                    }
                    if !seen.insert(joiner.userID).inserted { throw refuse("person", "This person is listed twice.") }
                    if let problem = EnrolmentRules.capacityProblem(role: joiner.role, given: joiner.capacity, profile: profileCapacity) {
                        throw refuse("capacity", problem)
                    }
                    if let problem = EnrolmentRules.statement.problem(joiner.statement) { throw refuse("statement", problem) }
                    if joiner.role == .mentor { mentors += 1 } else { mentees += 1 }
                }
                for joiner in joiners {
                    try await Enrolment(
                        programID: programID, userID: joiner.userID, role: joiner.role, capacity: joiner.capacity, statement: joiner.statement,
                        selfJoined: selfJoined, now: now
                    ).create(on: tx)
                }
                program.mentorCount += mentors
                program.menteeCount += mentees
                program.rosterVersion += 1
                program.updatedAt = now
                try await program.save(on: tx)
                let detail = joiners.count == 1 ? "\(joiners[0].role.rawValue)" : "\(mentors) mentors, \(mentees) mentees"
                try await PeopleStore.audit(selfJoined ? "program.join" : "program.enrol", "“\(program.name)”: \(detail)", actorID: actor.id, on: tx)
                return program
            }
        } catch let error where DatabaseWrites.isUniqueViolation(error) {
            // Two requests enrolled the same person at once; the other one won.
            throw Refusal("person", joiners.count == 1 ? "Already enrolled in this program." : "Someone in the list was enrolled meanwhile; nothing was changed.")
        }
    }

    /// Takes a person out of a program before they are matched: their own withdrawal, or a
    /// program manager's removal.
    static func withdraw(_ userID: UUID, from programID: UUID, by actor: User, now: Date = Date(), on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            let program = try await lock(programID, on: tx)
            let enrolment = try await enrolment(of: userID, in: programID, on: tx)
            let facts = EnrolmentRules.Withdrawing(state: program.programState, enrolled: enrolment != nil, matched: try await isMatched(userID, in: programID, on: tx))
            if var problem = EnrolmentRules.refusal(withdrawing: facts) {
                if actor.id != userID { problem = problem.replacingOccurrences(of: "You are", with: "This person is") }
                throw Refusal(problem)
            }
            guard let enrolment else { return }
            try await enrolment.delete(on: tx)
            if enrolment.programRole == .mentor { program.mentorCount -= 1 } else { program.menteeCount -= 1 }
            program.rosterVersion += 1
            program.updatedAt = now
            try await program.save(on: tx)
            let what = actor.id == userID ? "program.withdraw" : "program.remove"
            try await PeopleStore.audit(what, "“\(program.name)”: \(enrolment.role)", actorID: actor.id, on: tx)
        }
    }
}
