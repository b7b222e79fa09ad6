import Foundation

/// The enrolment CSV format (`email,role,capacity`): who joins a program, as mentor or mentee,
/// and, for a mentor, how many mentees they take in it (blank: their profile's). What a row says
/// on its own is checked here; what depends on the database (the person exists, is not enrolled
/// yet, has a capacity somewhere) is checked where the rows are enrolled, and named by the same
/// row numbers.
public enum EnrolmentTable {
    public static let columns = ["email", "role", "capacity"]
    /// The capacity column may be left out of a file that enrols no mentors.
    public static let requiredColumns = ["email", "role"]
    /// More rows than any organisation's program has people (a program of 125,000 is measured).
    public static let maximumRows = 200_000

    public struct Record: Sendable, Equatable {
        /// The row's number in the file (the header is row 1).
        public var row: Int
        public var email: String
        public var role: ProgramRole
        public var capacity: Int?

        public init(row: Int, email: String, role: ProgramRole, capacity: Int?) {
            self.row = row; self.email = email; self.role = role; self.capacity = capacity
        }
    }

    public struct ParseResult: Sendable {
        /// The rows that are right on their own (all of them when `isValid`), so that what depends
        /// on the database can be checked for them too and one report names every problem.
        public var records: [Record]
        /// Every problem, in file order (`PeopleTable.Problem`: row, column, value, message).
        public var problems: [PeopleTable.Problem]
        public var isValid: Bool { problems.isEmpty }
    }

    /// Reads a whole file's text.
    public static func parse(_ text: String) -> ParseResult {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let rows = CSVBytes.rows(text)
        guard let header = rows.first, !(header.count == 1 && header[0].isEmpty) else {
            return ParseResult(records: [], problems: [.init(row: 1, column: "", value: "", message: "The file is empty. The first line must name the columns: \(columns.joined(separator: ",")).")])
        }
        return parse(header: header, rows: Array(rows.dropFirst()))
    }

    public static func parse(header: [String], rows: [[String]]) -> ParseResult {
        var problems: [PeopleTable.Problem] = []
        let names = header.map { Tags.trimmed($0).lowercased() }
        for column in requiredColumns where !names.contains(column) {
            problems.append(.init(row: 1, column: column, value: "", message: "The header is missing this column. Columns: \(columns.joined(separator: ",")) (capacity may be left out)."))
        }
        var seen = Set<String>()
        for name in names {
            if !columns.contains(name) {
                problems.append(.init(row: 1, column: name, value: name, message: "Unknown column. Columns: \(columns.joined(separator: ","))."))
            } else if !seen.insert(name).inserted {
                problems.append(.init(row: 1, column: name, value: name, message: "This column appears more than once."))
            }
        }
        guard problems.isEmpty else { return ParseResult(records: [], problems: problems) }
        let nonBlank = rows.enumerated().filter { !$0.element.allSatisfy { Tags.trimmed($0).isEmpty } }
        if nonBlank.count > maximumRows {
            return ParseResult(records: [], problems: [.init(row: 1, column: "", value: "", message: "The file has \(nonBlank.count.grouped) rows; at most \(maximumRows.grouped) can be enrolled at once. Split the file.")])
        }
        let emailAt = names.firstIndex(of: "email")!, roleAt = names.firstIndex(of: "role")!, capacityAt = names.firstIndex(of: "capacity")
        var records: [Record] = []
        var rowOfEmail: [String: Int] = [:]
        for (offset, cells) in nonBlank {
            let number = offset + 2
            guard cells.count == header.count else {
                problems.append(.init(row: number, column: "", value: "", message: "This row has \(cells.count) cells; the header has \(header.count)."))
                continue
            }
            var rowProblems: [PeopleTable.Problem] = []
            let emailCell = Tags.trimmed(cells[emailAt])
            let email = EmailAddress.normalize(emailCell)
            if let problem = ProfileRules.emailProblem(email) {
                rowProblems.append(.init(row: number, column: "email", value: emailCell, message: problem))
            } else if let first = rowOfEmail[email] {
                rowProblems.append(.init(row: number, column: "email", value: emailCell, message: "This email already appears in row \(first); each person is enrolled once, in one role."))
            } else {
                rowOfEmail[email] = number
            }
            var role: ProgramRole?
            let roleCell = Tags.trimmed(cells[roleAt])
            switch ProfileRules.choice(roleCell, as: ProgramRole.self) {
            case .success(let chosen):
                role = chosen
                if chosen == nil { rowProblems.append(.init(row: number, column: "role", value: "", message: "Role is required: mentor or mentee.")) }
            case .failure(let problem): rowProblems.append(.init(row: number, column: "role", value: roleCell, message: problem.message))
            }
            var capacity: Int?
            let capacityCell = capacityAt.map { Tags.trimmed(cells[$0]) } ?? ""
            switch EnrolmentRules.capacity.parse(capacityCell) {
            case .success(let value):
                capacity = value
                if role == .mentee, value != nil {
                    rowProblems.append(.init(row: number, column: "capacity", value: capacityCell, message: "A mentee does not take mentees: leave capacity blank, or enrol them as a mentor."))
                }
            case .failure(let problem): rowProblems.append(.init(row: number, column: "capacity", value: capacityCell, message: problem.message))
            }
            if rowProblems.isEmpty, let role {
                records.append(Record(row: number, email: email, role: role, capacity: capacity))
            }
            problems += rowProblems
        }
        if problems.isEmpty, records.isEmpty {
            problems.append(.init(row: 1, column: "", value: "", message: "The file has a header but no one to enrol."))
        }
        return ParseResult(records: records, problems: problems)
    }
}
