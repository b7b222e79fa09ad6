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

        /// The field of an enrolment form it concerns: a refusal about the person or the program
        /// goes with the email that named them.
        var enrolmentField: String { field == "person" || field == "program" ? "email" : field }
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
    static func create(_ draft: ProgramDraft, weights: MatchWeights, by admin: User?, now: Date = Date(), on db: any Database) async throws -> Program {
        let program = Program(draft, weights: weights, createdBy: admin?.id, now: now)
        try await DatabaseWrites.transaction(on: db) { tx in
            try await program.create(on: tx)
            try await PeopleStore.audit("program.create", "“\(draft.name)” (\(draft.mode.rawValue))", actorID: admin?.id, on: tx)
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
            var changed = program.draft.changedFields(to: draft)
            if program.weights != weights { changed.append("weights") }
            program.apply(draft, weights: weights)
            program.updatedAt = now
            try await program.save(on: tx)
            let detail = changed.isEmpty ? "nothing changed" : "changed \(changed.joined(separator: ", "))"
            try await PeopleStore.audit("program.update", "“\(draft.name)”: \(detail)", actorID: admin.id, on: tx)
            return program
        }
    }

    /// Moves a program to another state, if its rules allow (`ProgramState.problem`).
    static func move(_ id: UUID, to next: ProgramState, by admin: User?, now: Date = Date(), on db: any Database) async throws -> Program {
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
            // Once a program starts, requests close: those still waiting are declined and their
            // mentees told; waitlists end.
            if next == .active || next == .concluded {
                let waiting = try await MentoringRequest.query(on: tx).filter(\.$programID == id).filter(\.$state == RequestState.pending.rawValue).all()
                for request in waiting {
                    request.state = RequestState.declined.rawValue
                    request.answer = "The program has started, so requests are closed."
                    request.answeredAt = now
                    try await request.save(on: tx)
                    try await Notify.send(to: request.menteeID, .requestDeclined, title: "Requests in “\(program.name)” are closed",
                                          body: "The program has started before your request was answered.", link: "/programs/\(id.uuidString)", now: now, on: tx)
                }
                try await WaitlistPlace.query(on: tx).filter(\.$programID == id).delete()
            }
            try await PeopleStore.audit("program.state", "“\(program.name)”: \(from.rawValue) → \(next.rawValue)", actorID: admin?.id, on: tx)
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

    /// Every reason a list of people cannot be enrolled, each by their place in the list (from 0).
    struct Refusals: Error {
        struct Problem: Sendable, Equatable {
            var index: Int
            var field: String
            var message: String
        }

        var problems: [Problem]
    }

    /// Enrols people in one transaction: all of them, or none when any one cannot be enrolled.
    /// One person refused throws `Refusal`; several, `Refusals` with every problem found.
    /// `selfJoined`: a participant's own join, which also needs enrolment to be open on `today`
    /// (their day); otherwise a program manager's.
    @discardableResult
    static func enrol(
        _ joiners: [Joiner], in programID: UUID, selfJoined: Bool, by actor: User?, now: Date = Date(), today: CalendarDay? = nil, on db: any Database
    ) async throws -> Program {
        do {
            return try await DatabaseWrites.transaction(on: db) { tx in
                let program = try await lock(programID, on: tx)
                if let problem = selfJoined ? nil : EnrolmentRules.managerEnrolProblem(state: program.programState) { throw Refusal(problem) }
                let (problems, mentors, mentees) = try await check(joiners, in: program, selfJoined: selfJoined, now: now, today: today, on: tx)
                if let first = problems.first {
                    if joiners.count == 1 { throw Refusal(first.field, first.message) }
                    throw Refusals(problems: problems)
                }
                // Many rows to an INSERT: a program of thousands is enrolled in a few statements.
                let rows = joiners.map { joiner in
                    Enrolment(programID: programID, userID: joiner.userID, role: joiner.role, capacity: joiner.capacity, statement: joiner.statement, selfJoined: selfJoined, now: now)
                }
                for start in stride(from: 0, to: rows.count, by: 500) {
                    try await Array(rows[start..<min(start + 500, rows.count)]).create(on: tx)
                }
                program.mentorCount += mentors
                program.menteeCount += mentees
                program.rosterVersion += 1
                program.updatedAt = now
                try await program.save(on: tx)
                let detail = joiners.count == 1 ? "\(joiners[0].role.rawValue)" : "\(mentors) mentors, \(mentees) mentees"
                try await PeopleStore.audit(selfJoined ? "program.join" : "program.enrol", "“\(program.name)”: \(detail)", actorID: actor?.id, on: tx)
                return program
            }
        } catch let error where DatabaseWrites.isUniqueViolation(error) {
            // Two requests enrolled the same person at once; the other one won.
            throw Refusal("person", joiners.count == 1 ? "Already enrolled in this program." : "Someone in the list was enrolled meanwhile; nothing was changed. Try again.")
        }
    }

    /// Every reason `joiners` cannot be enrolled in `program` now, with how many mentors and
    /// mentees they would add: what `enrol` checks in its transaction, and a preview before it.
    static func check(
        _ joiners: [Joiner], in program: Program, selfJoined: Bool, now: Date = Date(), today: CalendarDay? = nil, on db: any Database
    ) async throws -> (problems: [Refusals.Problem], mentors: Int, mentees: Int) {
        let programID = try program.requireID()
        let ids = joiners.map(\.userID)
        var existing: [UUID: ProgramRole] = [:]
        var profiles: [UUID: Int?] = [:]
        var active: Set<UUID> = []
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            for enrolment in try await Enrolment.query(on: db).filter(\.$programID == programID).filter(\.$userID ~~ chunk).all() {
                existing[enrolment.userID] = enrolment.programRole
            }
            for row in try await PlainRows.all("""
                SELECT u.id, u.is_active, p.capacity_mentees FROM users u LEFT JOIN profiles p ON p.id = u.id WHERE u.id IN (\(binds: chunk as [any Encodable & Sendable]))
                """, on: db) {
                let id = try row.uuid("id")
                profiles[id] = try row.optionalInt("capacity_mentees")
                if try row.bool("is_active") { active.insert(id) }
            }
        }
        var problems: [Refusals.Problem] = []
        var seen: Set<UUID> = []
        var mentors = 0, mentees = 0
        for (index, joiner) in joiners.enumerated() {
            func refuse(_ field: String, _ message: String) { problems.append(.init(index: index, field: field, message: message)) }
            guard let profileCapacity = profiles[joiner.userID] else { refuse("person", "There is no such person."); continue }
            guard active.contains(joiner.userID) else { refuse("person", "This person's account is deactivated."); continue }
            if selfJoined {
                let joining = EnrolmentRules.Joining(
                    state: program.programState, today: today ?? CalendarDay(now, in: TimeZone(identifier: "UTC")!),
                    opens: program.draft.enrolmentOpens, closes: program.draft.enrolmentCloses, enrolledAs: existing[joiner.userID]
                )
                if let problem = EnrolmentRules.refusal(joining: joining) { refuse("program", problem); continue }
            } else if let role = existing[joiner.userID] {
                refuse("person", "Already enrolled in this program as a \(role.rawValue)."); continue
            }
            if !seen.insert(joiner.userID).inserted { refuse("person", "This person is listed twice."); continue }
            if let problem = EnrolmentRules.capacityProblem(role: joiner.role, given: joiner.capacity, profile: profileCapacity) {
                refuse("capacity", problem); continue
            }
            if let problem = EnrolmentRules.statement.problem(joiner.statement) { refuse("statement", problem); continue }
            if joiner.role == .mentor { mentors += 1 } else { mentees += 1 }
        }
        return (problems, mentors, mentees)
    }

    /// The person to enrol by the email a manager typed, or what is wrong with it (one for the
    /// web form and the API).
    static func enrollee(email raw: String?, on db: any Database) async throws -> Result<User, Refusal> {
        let email = EmailAddress.normalize(raw ?? "")
        if email.isEmpty { return .failure(Refusal("email", "Email is required: whom to enrol.")) }
        if let found = try await User.query(on: db).filter(\.$email == email).first() { return .success(found) }
        return .failure(Refusal("email", "Nobody in Trellis has the email \(email.excerpt(80)). Add them on the People page first."))
    }

    /// People by email (as sign-in matches it), in chunks: email → id.
    static func ids(ofEmails emails: [String], on db: any Database) async throws -> [String: UUID] {
        var found: [String: UUID] = [:]
        for start in stride(from: 0, to: emails.count, by: 500) {
            let chunk = Array(emails[start..<min(start + 500, emails.count)])
            for row in try await PlainRows.all("SELECT id, email FROM users WHERE email IN (\(binds: chunk as [any Encodable & Sendable]))", on: db) {
                found[try row.string("email")] = try row.uuid("id")
            }
        }
        return found
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
            // Their waiting requests and waitlist places go with them.
            let waiting = try await MentoringRequest.query(on: tx).filter(\.$programID == programID).filter(\.$state == RequestState.pending.rawValue)
                .group(.or) { $0.filter(\.$menteeID == userID).filter(\.$mentorID == userID) }.all()
            for request in waiting {
                let mentorLeft = request.menteeID != userID
                request.state = mentorLeft ? RequestState.declined.rawValue : RequestState.withdrawn.rawValue
                request.answer = mentorLeft ? "The mentor left the program. Here are other mentors who suit you." : "The mentee left the program."
                request.answeredAt = now
                try await request.save(on: tx)
                if mentorLeft {
                    try await Notify.send(to: request.menteeID, .requestDeclined, title: "A mentor you asked left “\(program.name)”",
                                          body: request.answer, link: "/programs/\(programID.uuidString)/mentors", now: now, on: tx)
                }
            }
            try await WaitlistPlace.query(on: tx).filter(\.$programID == programID).group(.or) { $0.filter(\.$menteeID == userID).filter(\.$mentorID == userID) }.delete()
            try await Rankings.forget(userID, role: enrolment.programRole, in: program, on: tx)
            if enrolment.programRole == .mentor { program.mentorCount -= 1 } else { program.menteeCount -= 1 }
            program.rosterVersion += 1
            program.updatedAt = now
            try await program.save(on: tx)
            let what = actor.id == userID ? "program.withdraw" : "program.remove"
            try await PeopleStore.audit(what, "“\(program.name)”: \(enrolment.role)", actorID: actor.id, on: tx)
        }
    }
}
