import Fluent
import Foundation
import TrellisCore

/// What a mentorship's page shows one of its two people, gathered in a few bounded queries.
struct WorkspaceView: Sendable {
    struct Entry: Sendable {
        var at: Date
        var sentence: String
    }

    var pair: PairView
    var score: Int64?
    var reasons: [(contribution: Int64, sentence: String)]
    var agreementStatus: AgreementStatus
    var latestAgreement: AgreementVersion?
    /// What the reader should do next, most pressing first.
    var nextSteps: [String]
    /// Newest first.
    var timeline: [Entry]
}

enum Workspace {
    static let timelineShown = 50

    static func load(_ pair: PairView, on db: any Database) async throws -> WorkspaceView {
        // Why they were matched: the reasons of the published run that made the pair; a pair made
        // by a request has no run, so its reasons are worked out now, the same way.
        let reasons = try await PlainRows.first("""
            SELECT r.score, r.reasons FROM match_run_pairs r JOIN match_runs x ON x.id = r.run_id
            WHERE x.program_id = \(bind: pair.programID) AND x.published_at IS NOT NULL AND r.mentee_id = \(bind: pair.menteeID) AND r.mentor_id = \(bind: pair.mentorID)
            """, on: db)
        var score = try reasons.map { Int64(try $0.int("score")) }
        var why = try reasons.map { ProgramMatching.readReasons(try $0.string("reasons")) } ?? []
        if reasons == nil, let program = try await Program.find(pair.programID, on: db),
           let check = try? await MatchRuns.check(program: program, mentee: pair.menteeID, mentor: pair.mentorID, on: db), !check.reasons.isEmpty {
            score = check.score
            why = check.reasons
        }
        let versions = try await Agreements.versions(of: pair.id, on: db)
        let status = AgreementRules.status(of: versions, today: pair.today)
        var steps: [String] = []
        if pair.state != .concluded, let step = AgreementRules.nextStep(for: pair.side, status: status, otherName: pair.otherName) { steps.append(step) }
        let events = try await MentorshipEvent.query(on: db).filter(\.$mentorshipID == pair.id).sort(\.$occurredAt, .descending).sort(\.$id, .descending).limit(timelineShown).all()
        let timeline = events.compactMap { event -> WorkspaceView.Entry? in
            guard let kind = TimelineKind(rawValue: event.kind) else { return nil }
            let actor: String? = event.actorID.map { $0 == pair.me ? "You" : $0 == pair.mentorID ? pair.mentorName : $0 == pair.menteeID ? pair.menteeName : "Someone" }
            return .init(at: event.occurredAt, sentence: kind.sentence(actor: actor, subject: event.subject))
        }
        return WorkspaceView(pair: pair, score: score, reasons: why, agreementStatus: status, latestAgreement: versions.last, nextSteps: steps, timeline: timeline)
    }
}
