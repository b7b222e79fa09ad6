import Fluent
import FluentSQL
import Foundation
import TrellisCore
import Vapor

/// Reading and writing the people CSV with a CSV library, and applying an import.
enum PeopleCSV {
    /// What an import would do, row by row.
    struct Plan: Sendable {
        enum Change: String, Sendable { case create = "new", update = "changed", unchanged }
        var records: [PersonRecord]
        var changes: [Change]
        var problems: [PeopleTable.Problem]
        /// The emails of people who have a mentoring role now and whose row leaves it blank: the
        /// import takes it away (and their capacity), which a preview says in words, since a
        /// column left empty by mistake would otherwise do it quietly.
        var losingRole: [String] = []
        /// The emails of people already here whose row gives their name and every tag list as
        /// they are stored (after the same normalising): the import leaves their tags and search
        /// entries as they are (`PeopleImport`).
        var keepsTags: Set<String> = []

        var isValid: Bool { problems.isEmpty }

        /// "2 people would lose their mentoring role …", or nil.
        var losingRoleWarning: String? {
            guard !losingRole.isEmpty else { return nil }
            let names = losingRole.prefix(5).joined(separator: ", ") + (losingRole.count > 5 ? " and \(losingRole.count - 5) more" : "")
            let who = losingRole.count == 1 ? "1 person has a mentoring role now and would lose it" : "\(losingRole.count) people have a mentoring role now and would lose it"
            return "\(who) (and any capacity), because the file leaves their role blank: \(names). If that is not what you meant, fill in the role column and upload the file again."
        }
        func count(_ change: Change) -> Int { changes.filter { $0 == change }.count }
    }

    /// The export a batch of people at a time, in order of email: each batch read by plain SQL
    /// (people with their managers' emails, then their tags) and handed to `emit` as CSV text,
    /// the header first. Memory stays the size of one batch however large the organisation, and
    /// the first bytes leave at once. Each batch is its own short read: no database connection or
    /// transaction is held while `emit` waits for a slow client. The next batch starts after the
    /// last email sent, so a change made during an export shows in it or not, but nobody is sent
    /// twice. Without changes meanwhile, the same text as `PeopleFile.text(of: exportRecords(...))` (the order is
    /// the database's order of emails: byte order on SQLite and on a C-collated PostgreSQL).
    /// Returns how many people were written.
    @discardableResult
    static func exportStream(on db: any Database, batchSize: Int = 2_000, emit: @Sendable (String) async throws -> Void) async throws -> Int {
        var header = true
        return try await forEachBatch(on: db, batchSize: batchSize) { records in
            let text = PeopleFile.text(of: records, header: header)
            header = false
            if !text.isEmpty { try await emit(text) }
        }
    }

    /// Everyone (with a mentoring role or not), as records, sorted by email, read a batch at a
    /// time as the export reads them (each next batch on `readingAhead`'s thread).
    static func exportRecords(on db: any Database, readingAhead: LongWork = .beside) async throws -> [PersonRecord] {
        var everyone: [PersonRecord] = []
        try await forEachBatch(on: db, batchSize: 2_000, readingAhead: readingAhead) { everyone += $0 }
        return everyone.sorted { $0.email < $1.email }
    }

    /// Hands everyone to `body` a batch at a time, in the database's order of emails, and returns
    /// how many there were. Each batch is one read of people (with their managers' emails) and
    /// one of their tags, in plain SQL; the next batch is read and made into records while `body`
    /// works on this one, on `readingAhead`'s thread (the server has more than one core).
    @discardableResult
    private static func forEachBatch(
        on db: any Database, batchSize: Int, readingAhead: LongWork = .beside, _ body: ([PersonRecord]) async throws -> Void
    ) async throws -> Int {
        /// One batch: the people after `after` (an email), and the email of the last of them.
        @Sendable func read(after: String?) async throws -> (records: [PersonRecord], last: String?) {
            let from: SQLQueryString = after.map { "AND u.email > \(bind: $0)" } ?? ""
            let rows = try await PlainRows.all("""
                SELECT u.id, u.email, u.name, p.mentoring_role, p.department, m.email AS manager_email, p.timezone,
                       p.capacity_mentees, p.meeting_frequency, p.years_experience
                FROM users u JOIN profiles p ON p.id = u.id LEFT JOIN users m ON m.id = p.manager_id
                WHERE TRUE \(from) ORDER BY u.email LIMIT \(literal: batchSize)
                """, on: db)
            let tags = try await PeopleStore.tags(of: try rows.map { try $0.uuid("id") }, on: db)
            var records: [PersonRecord] = []
            records.reserveCapacity(rows.count)
            for row in rows {
                let role = try row.optionalString("mentoring_role").flatMap(MentoringRole.init(rawValue:))
                let personTags = tags[try row.uuid("id")] ?? [:]
                records.append(PersonRecord(
                    email: try row.string("email"), name: try row.string("name"), role: role, department: try row.string("department"),
                    managerEmail: try row.optionalString("manager_email"), timezone: try row.string("timezone"),
                    languages: personTags[.language] ?? [], expertise: personTags[.expertise] ?? [],
                    developmentAreas: personTags[.development] ?? [], interests: personTags[.interest] ?? [],
                    values: personTags[.value] ?? [], capacity: role?.capacity(stored: try row.optionalInt("capacity_mentees")),
                    meetingFrequency: try row.optionalString("meeting_frequency").flatMap(MeetingFrequency.init(rawValue:)),
                    yearsExperience: try row.optionalInt("years_experience")
                ))
            }
            return (records, try rows.last?.string("email"))
        }
        var count = 0
        var batch = try await read(after: nil)
        while true {
            let next: Task<(records: [PersonRecord], last: String?), any Error>? = if batch.records.count == batchSize {
                // On a long-work thread (a batch would hold up an event loop): the other one than
                // this, unless `readingAhead` is this one's.
                Task(executorPreference: readingAhead) { [after = batch.last] in try await read(after: after) }
            } else {
                nil
            }
            do {
                try await body(batch.records)
                count += batch.records.count
            } catch {
                next?.cancel()
                throw error
            }
            guard let next else { return count }
            batch = try await next.value
        }
    }

    /// Checks a file against the format and the people already stored, and says what would change.
    /// `everyCore`: when few people are stored, check the file on every core (the command line;
    /// the server checks on one, so that the other stays with the pages).
    static func plan(_ text: String, on db: any Database, everyCore: Bool = false) async throws -> Plan {
        // Reading the file and each row's own checks (one thread, unless `everyCore`) run beside the reading of everyone stored, which
        // they do not need: each took 4–5 s of a preview of 100,000 people, one after the other.
        // The reads ahead stay on this thread, for the file's work holds the other one; the
        // database works on its own. An empty file is refused first, not after the reading.
        try PeopleFile.checkNotEmpty(text)
        // On the command line, when few people are stored (the first import of an organisation,
        // say), their reading ends long before the checks, which then take every core: a dry run of the unicode
        // file's 100,000 new people took 2.0-2.2 s instead of 3.0-3.2 (reading one stored person
        // with their tags takes about as long as checking a row of the file).
        let stored = everyCore ? try await PlainRows.first("SELECT COUNT(*) AS n FROM users", on: db)?.int("n") ?? 0 : nil
        let checking = Task(executorPreference: LongWork.beside) {
            let (header, rows) = try PeopleFile.read(text)
            return PeopleTable.check(header: header, rows: rows, workers: stored.map { $0 * 3 < rows.count } == true ? nil : 1)
        }
        let existing: [PersonRecord]
        do {
            existing = try await exportRecords(on: db, readingAhead: .shared)  // everyone, with a mentoring role or not
        } catch {
            _ = await checking.result  // nothing of the preview runs on after it
            throw error
        }
        let known = Set(existing.map(\.email))
        var existingManagers: [String: String] = [:]
        for record in existing { existingManagers[record.email] = record.managerEmail }
        let parsed = PeopleTable.finish(try await checking.value, existingManagers: existingManagers, knownEmails: known)
        guard parsed.isValid else { return Plan(records: [], changes: [], problems: parsed.problems) }
        // Two stored emails may be one to Swift (canonically equivalent, stored before emails
        // were composed after lowering the case, `EmailAddress.normalize`): the first is taken,
        // where building the dictionary stopped the process.
        let byEmail = Dictionary(existing.map { ($0.email, $0) }, uniquingKeysWith: { first, _ in first })
        let changes: [Plan.Change] = parsed.records.map { record in
            if let stored = byEmail[record.email] { return stored.isEquivalent(to: record) ? .unchanged : .update }
            return known.contains(record.email) ? .update : .create
        }
        let losingRole = parsed.records.filter { $0.role == nil && byEmail[$0.email]?.role != nil }.map(\.email)
        // The file's lists are normalised already (`PeopleTable.parse`), as stored ones are.
        let keepsTags = Set(parsed.records.compactMap { record -> String? in
            guard let stored = byEmail[record.email], stored.name == record.name,
                  TagKind.allCases.allSatisfy({ record.tags($0) == stored.tags($0) }) else { return nil }
            return record.email
        })
        return Plan(records: parsed.records, changes: changes, problems: [], losingRole: losingRole, keepsTags: keepsTags)
    }

    /// Applies a valid plan, all or nothing (see `PeopleImport`).
    static func apply(_ plan: Plan, by actor: User?, on db: any Database) async throws {
        try await PeopleImport.apply(plan, by: actor?.id, on: db)
    }
}
