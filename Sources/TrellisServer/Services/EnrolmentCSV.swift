import Fluent
import Foundation
import TrellisCore

/// Enrolling a program from a CSV file (`EnrolmentTable`: `email,role,capacity`), through the web
/// and `trellis program enrol`: all rows or none, every bad row named by its number.
enum EnrolmentCSV {
    struct Plan: Sendable {
        var joiners: [ProgramStore.Joiner]
        /// Each joiner's row in the file.
        var rows: [Int]
        var mentors: Int
        var mentees: Int
        var problems: [PeopleTable.Problem]
        var isValid: Bool { problems.isEmpty }
    }

    /// Reads the file and checks every row against the program as it is now.
    static func plan(_ text: String, program: Program, on db: any Database) async throws -> Plan {
        let parsed = EnrolmentTable.parse(text)
        // A file that cannot be read as the table (its header, its size) stops here; otherwise the
        // rows that are right on their own are checked against the database too.
        if parsed.problems.contains(where: { $0.row == 1 }) { return Plan(joiners: [], rows: [], mentors: 0, mentees: 0, problems: parsed.problems) }
        let ids = try await ProgramStore.ids(ofEmails: parsed.records.map(\.email), on: db)
        var problems = parsed.problems
        var joiners: [ProgramStore.Joiner] = []
        var rows: [Int] = []
        var emails: [String] = []
        for record in parsed.records {
            guard let id = ids[record.email] else {
                problems.append(.init(row: record.row, column: "email", value: record.email, message: "Nobody in Trellis has this email. Add or import them as people first."))
                continue
            }
            joiners.append(.init(userID: id, role: record.role, capacity: record.capacity, statement: ""))
            rows.append(record.row)
            emails.append(record.email)
        }
        if let problem = EnrolmentRules.managerEnrolProblem(state: program.programState) {
            return Plan(joiners: [], rows: [], mentors: 0, mentees: 0, problems: [.init(row: 1, column: "", value: "", message: problem)])
        }
        let checked = try await ProgramStore.check(joiners, in: program, selfJoined: false, on: db)
        problems += checked.problems.map { problem($0, rows: rows, emails: emails) }
        problems.sort { $0.row < $1.row }
        return Plan(joiners: joiners, rows: rows, mentors: checked.mentors, mentees: checked.mentees, problems: problems)
    }

    static func problem(_ problem: ProgramStore.Refusals.Problem, rows: [Int], emails: [String]) -> PeopleTable.Problem {
        let column = problem.field == "capacity" ? "capacity" : "email"
        return .init(row: rows[problem.index], column: column, value: column == "email" ? emails[problem.index] : "", message: problem.message)
    }

    enum Outcome {
        case enrolled(Program, mentors: Int, mentees: Int)
        case refused([PeopleTable.Problem])
    }

    /// Enrols everyone in the file, or nobody: the problems (checked again in the transaction
    /// that enrols, so a change made since the preview is caught) or the program.
    static func apply(_ text: String, programID: UUID, by admin: User?, on db: any Database) async throws -> Outcome {
        guard let program = try await ProgramStore.find(programID, on: db) else { throw ProgramStore.NotFound() }
        let plan = try await plan(text, program: program, on: db)
        guard plan.isValid else { return .refused(plan.problems) }
        do {
            let enrolled = try await ProgramStore.enrol(plan.joiners, in: programID, selfJoined: false, by: admin, on: db)
            return .enrolled(enrolled, mentors: plan.mentors, mentees: plan.mentees)
        } catch let refusals as ProgramStore.Refusals {
            return .refused(refusals.problems.map { .init(row: plan.rows[$0.index], column: $0.field == "capacity" ? "capacity" : "email", value: "", message: $0.message) })
        } catch let refusal as ProgramStore.Refusal {
            return .refused([.init(row: plan.rows.first ?? 1, column: refusal.field == "capacity" ? "capacity" : "", value: "", message: refusal.message)])
        }
    }
}
