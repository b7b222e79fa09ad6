import Fluent
import FluentSQL
import Foundation
import TrellisCore

/// Enrolling everyone a directory filter finds (a department, a time zone, a mentoring role, a
/// tag) in one role: a preview that says how many and who is left out, then one all-or-nothing
/// enrolment of the rest, found again at confirmation.
enum DirectoryEnrolment {
    /// How many people the preview names.
    static let sampleSize = 20

    struct Plan: Sendable {
        var role: ProgramRole
        /// Everyone the filter finds (active accounts).
        var matched: Int
        /// Of them, already in the program (left as they are).
        var alreadyEnrolled: Int
        /// Of them, mentors with no capacity on their profile (enrol them one by one with one).
        var withoutCapacity: Int
        var joiners: [ProgramStore.Joiner]
        /// The first few to be enrolled, by name.
        var sample: [String]
    }

    static func plan(_ query: DirectoryQuery, as role: ProgramRole, program: Program, on db: any Database) async throws -> Plan {
        let programID = try program.requireID()
        let filters = Directory.Filters(query)
        let rows = try await PlainRows.all("""
            SELECT users.id, users.name, (SELECT p.capacity_mentees FROM profiles p WHERE p.id = users.id) AS capacity,
                   (SELECT 1 FROM enrolments e WHERE e.program_id = \(bind: programID) AND e.user_id = users.id) AS enrolled
            FROM \(filters.from) WHERE \(filters.condition) ORDER BY users.name, users.id
            """, on: db)
        var plan = Plan(role: role, matched: rows.count, alreadyEnrolled: 0, withoutCapacity: 0, joiners: [], sample: [])
        for row in rows {
            if try row.optionalInt("enrolled") != nil { plan.alreadyEnrolled += 1; continue }
            if role == .mentor, EnrolmentRules.effectiveCapacity(role: .mentor, given: nil, profile: try row.optionalInt("capacity")) ?? 0 <= 0 {
                plan.withoutCapacity += 1
                continue
            }
            plan.joiners.append(.init(userID: try row.uuid("id"), role: role, capacity: nil, statement: ""))
            if plan.sample.count < sampleSize { plan.sample.append(try row.string("name")) }
        }
        return plan
    }

    /// Finds the people again and enrols them all, or nobody (someone enrolled meanwhile, or the
    /// program no longer takes enrolments). Returns how many were enrolled.
    static func apply(_ query: DirectoryQuery, as role: ProgramRole, programID: UUID, by admin: User?, on db: any Database) async throws -> Int {
        guard let program = try await ProgramStore.find(programID, on: db) else { throw ProgramStore.NotFound() }
        let plan = try await plan(query, as: role, program: program, on: db)
        guard !plan.joiners.isEmpty else {
            let why = plan.matched == 0 ? "the directory finds nobody with these filters"
                : role == .mentor ? "everyone this filter finds is enrolled already or has no capacity to mentor"
                : "everyone this filter finds is enrolled already"
            throw ProgramStore.Refusal("filter", "Nobody left to enrol: \(why).")
        }
        do {
            try await ProgramStore.enrol(plan.joiners, in: programID, selfJoined: false, by: admin, on: db)
        } catch let refusals as ProgramStore.Refusals {
            throw ProgramStore.Refusal("filter", "Nobody was enrolled: \(refusals.problems.count) of the people found cannot be (\(refusals.problems.first?.message ?? "")). Preview again.")
        }
        return plan.joiners.count
    }
}
