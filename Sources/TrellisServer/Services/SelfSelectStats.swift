import Fluent
import FluentSQL
import Foundation
import TrellisCore

/// A self-select program as its manager sees it: numbers and flags, never who asked whom.
///
/// Scale: each figure is one grouped count over the program's requests, enrolments and
/// mentorships, so a page grows with the program (self-select programs have tens to a few
/// thousand people; a bulk program of 100,000 never reads this).
enum SelfSelectStats {
    struct Figures: Sendable, Equatable {
        var pending = 0
        var accepted = 0
        var declined = 0
        var withdrawn = 0
        var expired = 0
        /// Pending requests past half their time without an answer.
        var waitingLong = 0
        var menteesMatched = 0
        /// Mentees with no mentor and no request waiting: the ones to nudge.
        var menteesIdle = 0
        var mentorsFull = 0
        var mentorsPaused = 0
        var waitlistPlaces = 0
    }

    static func figures(for program: Program, now: Date = Date(), on db: any Database) async throws -> Figures {
        let id = try program.requireID()
        var figures = Figures()
        let halfway = TimeInterval(program.requestExpiryDays) * 86_400 / 2
        for row in try await PlainRows.all("""
            SELECT state, expires_at FROM mentoring_requests WHERE program_id = \(bind: id) AND state = \(bind: RequestState.pending.rawValue)
            """, on: db) {
            let expires = try row.date("expires_at")
            if RequestRules.isExpired(expiresAt: expires, now: now) { figures.expired += 1; continue }
            figures.pending += 1
            if expires.timeIntervalSince(now) < halfway { figures.waitingLong += 1 }
        }
        for row in try await PlainRows.all("""
            SELECT state, COUNT(*) AS n FROM mentoring_requests WHERE program_id = \(bind: id) AND state <> \(bind: RequestState.pending.rawValue) GROUP BY state
            """, on: db) {
            let n = try row.int("n")
            switch RequestState(rawValue: try row.string("state")) {
            case .accepted?: figures.accepted += n
            case .declined?: figures.declined += n
            case .withdrawn?: figures.withdrawn += n
            case .expired?: figures.expired += n
            case .pending?, nil: break
            }
        }
        figures.menteesMatched = try await PlainRows.first("""
            SELECT COUNT(*) AS n FROM mentorships WHERE program_id = \(bind: id) AND state <> \(bind: MentorshipState.concluded.rawValue)
            """, on: db)?.int("n") ?? 0
        figures.menteesIdle = try await PlainRows.first("""
            SELECT COUNT(*) AS n FROM enrolments e WHERE e.program_id = \(bind: id) AND e.role = \(bind: ProgramRole.mentee.rawValue)
              AND NOT EXISTS (SELECT 1 FROM mentorships m WHERE m.program_id = e.program_id AND m.mentee_id = e.user_id)
              AND NOT EXISTS (SELECT 1 FROM mentoring_requests r WHERE r.program_id = e.program_id AND r.mentee_id = e.user_id
                              AND r.state = \(bind: RequestState.pending.rawValue) AND r.expires_at > \(bind: now))
            """, on: db)?.int("n") ?? 0
        // A mentor is full when their mentorships here reach their capacity (given for the
        // program, else their profile's).
        figures.mentorsFull = try await PlainRows.first("""
            SELECT COUNT(*) AS n FROM enrolments e LEFT JOIN profiles p ON p.id = e.user_id
            WHERE e.program_id = \(bind: id) AND e.role = \(bind: ProgramRole.mentor.rawValue)
              AND (SELECT COUNT(*) FROM mentorships m WHERE m.program_id = e.program_id AND m.mentor_id = e.user_id AND m.state <> \(bind: MentorshipState.concluded.rawValue))
                  >= COALESCE(e.capacity, p.capacity_mentees, 0)
            """, on: db)?.int("n") ?? 0
        figures.mentorsPaused = try await Enrolment.query(on: db).filter(\.$programID == id).filter(\.$paused == true).count()
        figures.waitlistPlaces = try await WaitlistPlace.query(on: db).filter(\.$programID == id).count()
        return figures
    }
}
