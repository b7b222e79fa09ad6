import Foundation

/// The people CSV format: its columns, how a row becomes a `PersonRecord`, and every rule a row
/// must follow. Reading the CSV bytes is the caller's job (a CSV library); this type sees cells.
public enum PeopleTable {
    public static let columns = [
        "email", "name", "role", "department", "manager_email", "timezone", "languages", "expertise",
        "development_areas", "interests", "values", "capacity", "meeting_frequency", "years_experience",
    ]

    /// Separates the values inside a list cell.
    public static let listSeparator: Character = ";"

    /// One thing wrong with the file. `row` is the line-based row number where the header is row 1.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var row: Int
        public var column: String
        public var value: String
        public var message: String

        public init(row: Int, column: String, value: String, message: String) {
            self.row = row
            self.column = column
            self.value = value
            self.message = message
        }

        public var description: String {
            let where_ = column.isEmpty ? "row \(row)" : "row \(row), column \(column)"
            return value.isEmpty ? "\(where_): \(message)" : "\(where_), value “\(value.shownInMessage)”: \(message)"
        }
    }

    /// What the reader found: the records (in file order) or every problem.
    public struct ParseResult: Sendable {
        public var records: [PersonRecord]
        public var problems: [Problem]
        public var isValid: Bool { problems.isEmpty }
    }

    /// Checks the header and every row.
    /// - Parameters:
    ///   - header: the header cells as read.
    ///   - rows: data rows, in order; row numbers are counted from 2.
    ///   - existingManagers: for people already stored, email → manager email, so that cycles
    ///     across stored people and the file are found too.
    ///   - knownEmails: emails of people already stored (a manager may be one of them).
    ///   - workers: how many threads check rows on their own (default: one per processor core,
    ///     for files of a few thousand rows and more); the result is the same with any number.
    public static func parse(
        header: [String], rows: [[String]], existingManagers: [String: String] = [:], knownEmails: Set<String> = [],
        workers: Int? = nil
    ) -> ParseResult {
        finish(check(header: header, rows: rows, workers: workers), existingManagers: existingManagers, knownEmails: knownEmails)
    }

    /// A file's header and each row checked on its own: what `parse` can find out before it knows
    /// who is stored already (`finish` does the rest), so that a caller can read everyone stored
    /// while the rows are checked.
    public struct CheckedRows: Sendable {
        fileprivate var headerProblems: [Problem]
        fileprivate var rows: [RowCheck?]
    }

    /// The first half of `parse`: the header, then every row on its own (most of the work), the
    /// rows split over `workers` threads (default: one per processor core, for files of a few
    /// thousand rows and more).
    public static func check(header: [String], rows: [[String]], workers: Int? = nil) -> CheckedRows {
        var problems: [Problem] = []
        let cleanedHeader = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let missing = columns.filter { !cleanedHeader.contains($0) }
        let unknown = cleanedHeader.filter { !columns.contains($0) }
        var duplicateColumns = Set<String>()
        var seenColumns = Set<String>()
        for column in cleanedHeader where !seenColumns.insert(column).inserted { duplicateColumns.insert(column) }
        for column in missing {
            problems.append(Problem(row: 1, column: column, value: "", message: "The header is missing this column. Required columns: \(columns.joined(separator: ","))."))
        }
        for column in unknown {
            problems.append(Problem(row: 1, column: column, value: column, message: "Unknown column. Allowed columns: \(columns.joined(separator: ","))."))
        }
        for column in duplicateColumns.sorted() {
            problems.append(Problem(row: 1, column: column, value: column, message: "This column appears more than once."))
        }
        guard problems.isEmpty else { return CheckedRows(headerProblems: problems, rows: []) }
        let index = Dictionary(uniqueKeysWithValues: cleanedHeader.enumerated().map { ($1, $0) })
        let columnIndex = columns.map { index[$0]! }
        return CheckedRows(headerProblems: [], rows: checkRows(rows, columnIndex: columnIndex, headerCount: header.count, workers: workers))
    }

    /// The second half of `parse`: what crosses rows, in file order — an email given twice, then
    /// managers (each in the file or stored) and loops, across the file and the people stored.
    public static func finish(_ checked: CheckedRows, existingManagers: [String: String] = [:], knownEmails: Set<String> = []) -> ParseResult {
        guard checked.headerProblems.isEmpty else { return ParseResult(records: [], problems: checked.headerProblems) }
        var problems: [Problem] = []
        var records: [PersonRecord] = []
        var rowOfEmail: [String: Int] = [:]
        var lines: [(email: String, manager: String?, row: Int)] = []
        for row in checked.rows {
            guard let row else { continue }
            var rowProblems = row.problems
            if row.emailUsable, let first = rowOfEmail[row.email] {
                rowProblems.insert(Problem(row: row.number, column: "email", value: row.emailCell, message: "This email already appears in row \(first); each person must appear once."), at: 0)
            }
            // The reporting line is checked for every row with a usable email, even when other
            // cells of the row are wrong, so that one report lists every problem.
            if row.emailValid, rowOfEmail[row.email] == nil {
                lines.append((row.email, row.manager, row.number))
            }
            if !row.email.isEmpty, rowOfEmail[row.email] == nil { rowOfEmail[row.email] = row.number }
            problems += rowProblems
            if rowProblems.isEmpty, let record = row.record { records.append(record) }
        }

        // Managers: each must be in the file (anywhere) or already stored, and no loop may form.
        var line = ReportingLine(managerOf: existingManagers)
        for entry in lines {
            line.setManager(entry.manager, of: entry.email)
            if let manager = entry.manager, rowOfEmail[manager] == nil, !knownEmails.contains(manager) {
                problems.append(Problem(row: entry.row, column: "manager_email", value: manager, message: "No person with this email is in the file or already in Trellis."))
            }
        }
        // Every loop, found in one pass over the whole line (linear in the number of people, however
        // deep the chains), reported on each row of the file that is part of it.
        var loopOf: [String: (cycle: [String], position: Int)] = [:]
        for cycle in line.cycles() {
            for (position, email) in cycle.enumerated() { loopOf[email] = (cycle, position) }
        }
        for entry in lines {
            guard let manager = entry.manager, let (cycle, position) = loopOf[entry.email] else { continue }
            problems.append(Problem(row: entry.row, column: "manager_email", value: manager, message: "This would make a reporting loop: \(Self.describeLoop(cycle, from: position)). A person cannot be managed, directly or not, by someone they manage."))
        }
        problems.sort { ($0.row, $0.column) < ($1.row, $1.column) }
        return ParseResult(records: problems.isEmpty ? records : [], problems: problems)
    }

    /// "a → b → c → a", starting at `position`; a long loop is shortened to its first people.
    static func describeLoop(_ cycle: [String], from position: Int) -> String {
        let start = cycle[position]
        let ordered = (0..<min(cycle.count, 6)).map { cycle[(position + $0) % cycle.count] }
        if cycle.count <= 6 { return (ordered + [start]).joined(separator: " → ") }
        return ordered.joined(separator: " → ") + " → … (\(cycle.count) people in all) → " + start
    }

    /// What one row says on its own: its problems (all but an email given twice), and the record
    /// when it has none.
    struct RowCheck: Sendable {
        var number: Int
        var email: String
        /// The email cell as written (what a message about it shows).
        var emailCell: String
        /// The email has no problem of its own, so a second row with it is the problem.
        var emailUsable: Bool
        /// The email is an address (its reporting line is checked, even if other cells are wrong).
        var emailValid: Bool
        var manager: String?
        var problems: [Problem]
        var record: PersonRecord?
    }

    /// Checks every row (nil for a blank one), in order, the rows split over the processor's cores.
    static func checkRows(_ rows: [[String]], columnIndex: [Int], headerCount: Int, workers asked: Int?) -> [RowCheck?] {
        let workers = max(1, min(asked ?? min(ProcessInfo.processInfo.activeProcessorCount, rows.count / 2_000), rows.count))
        if workers == 1 { return rows.indices.map { checkRow(rows[$0], number: $0 + 2, columnIndex: columnIndex, headerCount: headerCount) } }
        let parts = UnsafeMutableBufferPointer<[RowCheck?]>.allocate(capacity: workers)
        parts.initialize(repeating: [])
        defer { parts.deinitialize(); parts.deallocate() }
        let pointer = SendablePointer(base: parts.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let first = rows.count * worker / workers, last = rows.count * (worker + 1) / workers
            pointer.base[worker] = (first..<last).map { checkRow(rows[$0], number: $0 + 2, columnIndex: columnIndex, headerCount: headerCount) }
        }
        return parts.flatMap { $0 }
    }

    private struct SendablePointer: @unchecked Sendable { let base: UnsafeMutablePointer<[RowCheck?]> }

    /// One row's own checks; `columnIndex[i]` is the cell of `columns[i]`.
    static func checkRow(_ cells: [String], number rowNumber: Int, columnIndex: [Int], headerCount: Int) -> RowCheck? {
        if cells.allSatisfy({ cell in
            // Quick for the usual cell that starts with a visible ASCII character.
            if let first = cell.utf8.first, first > 0x20, first < 0x80 { return false }
            return cell.trimmingCharacters(in: .whitespaces).isEmpty
        }) { return nil }
        if cells.count != headerCount {
            return RowCheck(number: rowNumber, email: "", emailCell: "", emailUsable: false, emailValid: false, manager: nil, problems: [
                Problem(row: rowNumber, column: "", value: "", message: "This row has \(cells.count) cells but the header has \(headerCount)."),
            ])
        }
        var problems: [Problem] = []
        func cell(_ column: Column) -> String {
            Tags.trimmed(SpreadsheetSafety.unescape(cells[columnIndex[column.rawValue]]))
        }
        func problem(_ column: Column, _ message: String) {
            problems.append(Problem(row: rowNumber, column: columns[column.rawValue], value: cell(column), message: message))
        }

        let email = EmailAddress.normalize(cell(.email))
        let emailProblem = ProfileRules.emailProblem(email)
        if let emailProblem { problem(.email, emailProblem) }
        let name = Tags.clean(cell(.name))
        if let message = ProfileRules.name.problem(name) { problem(.name, message) }

        // Blank: no mentoring role (listed in the directory and in reporting lines, never
        // matched), so that an export holds everyone and imports again as it was.
        var role: MentoringRole?
        var roleReadable = true
        switch ProfileRules.choice(cell(.role), as: MentoringRole.self) {
        case .success(let value): role = value
        case .failure(let failure): problem(.role, failure.message); roleReadable = false
        }

        let department = Tags.clean(cell(.department))
        if let message = ProfileRules.department.problem(department) { problem(.department, message) }

        let managerRaw = EmailAddress.normalize(cell(.managerEmail))
        let managerValid = !managerRaw.isEmpty && EmailAddress.isValid(managerRaw)
        if !managerRaw.isEmpty {
            if !managerValid { problem(.managerEmail, "Not an email address; leave it blank if the person has no manager here.") }
            else if managerRaw == email { problem(.managerEmail, "A person cannot be their own manager.") }
        }

        let timezone = cell(.timezone)
        if let message = ProfileRules.timezoneProblem(timezone) { problem(.timezone, message) }

        func list(_ column: Column, _ kind: TagKind) -> [String] {
            let values = Tags.parse(cell(column), separators: [listSeparator])
            if let message = ProfileRules.tagsProblem(values, kind: kind) { problem(column, message) }
            return values
        }
        let languages = list(.languages, .language)
        let expertise = list(.expertise, .expertise)
        let development = list(.developmentAreas, .development)
        let interests = list(.interests, .interest)
        let values = list(.values, .value)

        func number(_ column: Column, _ rule: ProfileRules.Number) -> (value: Int?, readable: Bool) {
            switch rule.parse(cell(column)) {
            case .success(let value): return (value, true)
            case .failure(let failure):
                problem(column, failure.message)
                return (nil, false)
            }
        }
        let capacity = number(.capacity, ProfileRules.capacityMentees)
        if capacity.readable, roleReadable, let message = ProfileRules.capacityProblems(role: role, capacity: capacity.value, hours: nil).capacity {
            problem(.capacity, message)
        }

        var frequency: MeetingFrequency?
        switch ProfileRules.choice(cell(.meetingFrequency), as: MeetingFrequency.self) {
        case .success(let value): frequency = value
        case .failure(let failure): problem(.meetingFrequency, failure.message)
        }

        let years = number(.yearsExperience, ProfileRules.yearsExperience).value
        let emailValid = EmailAddress.isValid(email)
        return RowCheck(
            number: rowNumber, email: email, emailCell: cell(.email), emailUsable: emailProblem == nil, emailValid: emailValid,
            manager: !managerValid || managerRaw == email ? nil : managerRaw,
            problems: problems,
            record: problems.isEmpty ? PersonRecord(
                email: email, name: name, role: role, department: department,
                managerEmail: managerRaw.isEmpty ? nil : managerRaw, timezone: timezone,
                languages: languages, expertise: expertise, developmentAreas: development,
                interests: interests, values: values, capacity: capacity.value,
                meetingFrequency: frequency, yearsExperience: years
            ) : nil
        )
    }

    /// The columns by position in `columns`.
    enum Column: Int {
        case email, name, role, department, managerEmail, timezone, languages, expertise
        case developmentAreas, interests, values, capacity, meetingFrequency, yearsExperience
    }

    /// The cells of one record, in `columns` order, safe to open in a spreadsheet
    /// (`SpreadsheetSafety`; `parse` undoes it).
    public static func cells(of record: PersonRecord) -> [String] {
        let separator = String(listSeparator)
        let cells: [String] = [
            record.email, record.name, record.role?.rawValue ?? "", record.department, record.managerEmail ?? "",
            record.timezone, record.languages.joined(separator: separator), record.expertise.joined(separator: separator),
            record.developmentAreas.joined(separator: separator), record.interests.joined(separator: separator),
            record.values.joined(separator: separator), record.capacity.map(String.init) ?? "",
            record.meetingFrequency?.rawValue ?? "", record.yearsExperience.map(String.init) ?? "",
        ]
        return cells.map(SpreadsheetSafety.escape)
    }
}
