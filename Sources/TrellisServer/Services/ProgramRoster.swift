import Fluent
import FluentSQL
import Foundation
import TrellisCore

/// A program's participants, fifty to a page in the order they were enrolled, with what the
/// manager needs to chase thin profiles: each person's profile completeness and what it lacks.
/// A page reads its fifty rows from an index and their profiles, however large the program.
enum ProgramRoster {
    static let pageSize = 50

    struct Row: Sendable {
        var enrolmentID: UUID
        var userID: UUID
        var name: String
        var email: String
        var department: String
        var role: ProgramRole
        /// The capacity in this program (given for it, else the profile's), for mentors.
        var capacity: Int?
        var statement: String
        var selfJoined: Bool
        var percentComplete: Int
        var missing: [String]
    }

    struct Page: Sendable {
        var rows: [Row]
        var role: ProgramRole?
        var hasPrevious: Bool
        var hasNext: Bool
    }

    /// The page after (or before) an enrolment, or the first.
    /// `only`: just this person's row (for an answer about one enrolment).
    static func page(program programID: UUID, role: ProgramRole?, after: UUID?, before: UUID?, only: UUID? = nil, on db: any Database) async throws -> Page {
        var roleFilter: SQLQueryString = role.map { "AND e.role = \(bind: $0.rawValue)" } ?? ""
        if let only { roleFilter = "\(roleFilter) AND e.user_id = \(bind: only)" }
        let paging = KeysetPaging(column: "e.id", after: after, before: before, size: pageSize)
        let page = try await paging.read(rows: { beyond in """
            SELECT e.id AS enrolment_id, e.user_id, e.role, e.capacity, e.statement, e.self_joined, u.name, u.email,
                   p.department, p.capacity_mentees
            FROM enrolments e JOIN users u ON u.id = e.user_id LEFT JOIN profiles p ON p.id = e.user_id
            WHERE e.program_id = \(bind: programID) \(roleFilter) AND \(beyond)
            """ }, exists: { behind in "SELECT e.id FROM enrolments e WHERE e.program_id = \(bind: programID) \(roleFilter) AND \(behind)" }, on: db)
        let rows = page.rows
        let ids = try rows.map { try $0.uuid("user_id") }
        let profiles = ids.isEmpty ? [] : try await Profile.query(on: db).filter(\.$id ~~ ids).all()
        let byID = Dictionary(profiles.compactMap { profile in profile.id.map { ($0, profile) } }, uniquingKeysWith: { first, _ in first })
        let tags = try await PeopleStore.tags(of: ids, on: db)
        let made: [Row] = try rows.map { row in
            let userID = try row.uuid("user_id")
            let profile = byID[userID] ?? Profile(userID: userID)
            let (fraction, missing) = profile.draft(name: try row.string("name"), tags: tags[userID] ?? [:]).completeness
            let role = ProgramRole(rawValue: try row.string("role")) ?? .mentee
            return Row(
                enrolmentID: try row.uuid("enrolment_id"), userID: userID, name: try row.string("name"), email: try row.string("email"),
                department: try row.optionalString("department") ?? "", role: role,
                capacity: EnrolmentRules.effectiveCapacity(role: role, given: try row.optionalInt("capacity"), profile: try row.optionalInt("capacity_mentees")),
                statement: try row.string("statement"), selfJoined: try row.bool("self_joined"),
                percentComplete: Int((fraction * 100).rounded()), missing: missing
            )
        }
        return Page(rows: made, role: role, hasPrevious: page.hasPrevious, hasNext: page.hasNext)
    }
}
