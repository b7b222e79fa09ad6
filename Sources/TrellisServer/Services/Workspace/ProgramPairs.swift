import Fluent
import FluentSQL
import Foundation
import TrellisCore

/// A program's pairs for its managers, fifty to a page in the order they were made, each with its
/// numbers (`PairNumbers`): counts and dates from aggregate queries over the page's fifty
/// mentorships, so no content is read at all and a page costs the same however large the program.
enum ProgramPairs {
    static let pageSize = 50

    struct Row: Sendable {
        var mentorshipID: UUID
        var mentorID: UUID
        var mentorName: String
        var menteeID: UUID
        var menteeName: String
        var state: MentorshipState
        var numbers: PairNumbers
        var flags: [PairNumbers.Flag]
    }

    struct Page: Sendable {
        var rows: [Row]
        var hasPrevious: Bool
        var hasNext: Bool
    }

    /// The page after (or before) a mentorship, or the first.
    static func page(program: Program, after: UUID?, before: UUID?, today: CalendarDay, now: Date = Date(), on db: any Database) async throws -> Page {
        let programID = try program.requireID()
        let paging = KeysetPaging(column: "m.id", after: after, before: before, size: pageSize)
        let page = try await paging.read(rows: { beyond in """
            SELECT m.id, m.mentor_id, m.mentee_id, m.state, m.started_on, a.name AS mentor_name, b.name AS mentee_name
            FROM mentorships m JOIN users a ON a.id = m.mentor_id JOIN users b ON b.id = m.mentee_id
            WHERE m.program_id = \(bind: programID) AND \(beyond)
            """ }, exists: { behind in "SELECT m.id FROM mentorships m WHERE m.program_id = \(bind: programID) AND \(behind)" }, on: db)
        let rows = page.rows
        let ids = try rows.map { try $0.uuid("id") }
        let numbers = try await self.numbers(of: ids, today: today, now: now, on: db)
        let made: [Row] = try rows.map { row in
            let id = try row.uuid("id")
            var withStart = numbers[id] ?? PairNumbers(startedOn: today)
            // `started_on` is required; a value that does not read as a day counts from today.
            withStart.startedOn = CalendarDay(try row.string("started_on")) ?? today
            let state = MentorshipState(rawValue: try row.string("state")) ?? .active
            return Row(
                mentorshipID: id, mentorID: try row.uuid("mentor_id"), mentorName: try row.string("mentor_name"),
                menteeID: try row.uuid("mentee_id"), menteeName: try row.string("mentee_name"), state: state, numbers: withStart,
                flags: state == .concluded ? [] : withStart.flags(today: today, now: now, meetingsInTrellis: program.meetingsInTrellis)
            )
        }
        return Page(rows: made, hasPrevious: page.hasPrevious, hasNext: page.hasNext)
    }

    /// The numbers of these mentorships (at most a page), by mentorship: one grouped query per
    /// kind of record, each over the mentorship index of its table.
    static func numbers(of ids: [UUID], today: CalendarDay, now: Date, on db: any Database) async throws -> [UUID: PairNumbers] {
        guard !ids.isEmpty else { return [:] }
        let list: SQLQueryString = "\(binds: ids as [any Encodable & Sendable])"
        var numbers = Dictionary(uniqueKeysWithValues: ids.map { ($0, PairNumbers(startedOn: today)) })
        func each(_ query: SQLQueryString, _ apply: (inout PairNumbers, PlainRow) throws -> Void) async throws {
            for row in try await PlainRows.all(query, on: db) {
                let id = try row.uuid("mentorship_id")
                guard numbers[id] != nil else { continue }
                try apply(&numbers[id]!, row)
            }
        }
        let scheduled = MeetingState.scheduled.rawValue, cancelled = MeetingState.cancelled.rawValue
        try await each("""
            SELECT mentorship_id,
                   COUNT(CASE WHEN state = \(bind: scheduled) AND ends_at <= \(bind: now) THEN 1 END) AS held,
                   MAX(CASE WHEN state = \(bind: scheduled) AND ends_at <= \(bind: now) THEN starts_at END) AS last_met,
                   MIN(CASE WHEN state = \(bind: scheduled) AND ends_at > \(bind: now) THEN starts_at END) AS next_at,
                   COUNT(CASE WHEN state = \(bind: cancelled) THEN 1 END) AS cancelled,
                   MAX(updated_at) AS changed
            FROM meetings WHERE mentorship_id IN (\(list)) GROUP BY mentorship_id
            """) { n, row in
            n.meetingsHeld = try row.int("held")
            n.lastMet = try row.optionalDate("last_met")
            n.nextMeeting = try row.optionalDate("next_at")
            n.meetingsCancelled = try row.int("cancelled")
            n.touch(try row.optionalDate("changed"))
            // A meeting held is activity too (it is derived from time, not recorded as a change).
            n.touch(n.lastMet)
        }
        try await each("""
            SELECT m.mentorship_id, MAX(a.created_at) AS latest FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id
            WHERE m.mentorship_id IN (\(list)) GROUP BY m.mentorship_id
            """) { n, row in n.touch(try row.optionalDate("latest")) }
        // Shared notes only: when someone wrote a private note is theirs too.
        try await each("""
            SELECT m.mentorship_id, MAX(n.created_at) AS latest FROM meeting_notes n JOIN meetings m ON m.id = n.meeting_id
            WHERE m.mentorship_id IN (\(list)) AND n.private = \(bind: false) GROUP BY m.mentorship_id
            """) { n, row in n.touch(try row.optionalDate("latest")) }
        // The latest version, and the latest one both signed with the day its second signature came.
        try await each("""
            SELECT mentorship_id, MAX(number) AS latest, MAX(written_at) AS written_at,
                   MAX(CASE WHEN mentor_signed_at IS NOT NULL AND mentee_signed_at IS NOT NULL THEN number END) AS signed_number,
                   MAX(CASE WHEN mentor_signed_at IS NOT NULL AND mentee_signed_at IS NOT NULL
                            THEN (CASE WHEN mentor_signed_at > mentee_signed_at THEN mentor_signed_at ELSE mentee_signed_at END) END) AS signed_at
            FROM agreement_versions WHERE mentorship_id IN (\(list)) GROUP BY mentorship_id
            """) { n, row in
            let latest = try row.int("latest")
            let signedAt = try row.optionalDate("signed_at")
            if let signed = try row.optionalInt("signed_number"), signed == latest, let signedAt {
                n.agreement = .signed(version: latest, writtenAt: try row.date("written_at"), on: signedAt)
            } else {
                n.agreement = .waiting(version: latest, writtenAt: try row.date("written_at"), signedBefore: signedAt)
            }
            n.touch(try row.optionalDate("written_at"))
            n.touch(signedAt)
        }
        try await each("""
            SELECT mentorship_id, COUNT(*) AS goals, COUNT(reached_at) AS reached FROM goals WHERE mentorship_id IN (\(list)) GROUP BY mentorship_id
            """) { n, row in
            n.goals = try row.int("goals")
            n.goalsReached = try row.int("reached")
        }
        try await each("""
            SELECT g.mentorship_id, COUNT(*) AS milestones, COUNT(s.reached_at) AS reached
            FROM milestones s JOIN goals g ON g.id = s.goal_id WHERE g.mentorship_id IN (\(list)) GROUP BY g.mentorship_id
            """) { n, row in
            n.milestones = try row.int("milestones")
            n.milestonesReached = try row.int("reached")
        }
        try await each("""
            SELECT mentorship_id, COUNT(CASE WHEN done_at IS NULL THEN 1 END) AS open,
                   COUNT(CASE WHEN done_at IS NULL AND due_on IS NOT NULL AND due_on < \(bind: today.description) THEN 1 END) AS overdue,
                   MAX(created_at) AS made, MAX(done_at) AS done
            FROM action_items WHERE mentorship_id IN (\(list)) GROUP BY mentorship_id
            """) { n, row in
            n.openActionItems = try row.int("open")
            n.overdueActionItems = try row.int("overdue")
            n.touch(try row.optionalDate("made"))
            n.touch(try row.optionalDate("done"))
        }
        try await each("""
            SELECT mentorship_id, COUNT(CASE WHEN kind = \(bind: FeedbackKind.feedback.rawValue) THEN 1 END) AS feedback,
                   COUNT(CASE WHEN kind = \(bind: FeedbackKind.thanks.rawValue) THEN 1 END) AS thanks
            FROM feedback WHERE mentorship_id IN (\(list)) GROUP BY mentorship_id
            """) { n, row in
            n.feedbackSent = try row.int("feedback")
            n.thanksSent = try row.int("thanks")
        }
        try await each("""
            SELECT mentorship_id, MAX(occurred_at) AS latest FROM mentorship_events WHERE mentorship_id IN (\(list)) GROUP BY mentorship_id
            """) { n, row in
            n.touch(try row.optionalDate("latest"))
        }
        return numbers
    }
}
