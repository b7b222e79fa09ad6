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
    /// The next meeting not cancelled, and its agenda's size.
    var nextMeeting: MeetingPages.Line?
    var openItems: [MeetingPages.ItemLine]
    var meetingsHeld: Int
    var goals: [Goal]
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
        let now = Date()
        let meetings = try await Meetings.all(of: pair, on: db)
        let next = meetings.filter { $0.facts.state != .cancelled && $0.endsAt > now }.min { $0.startsAt < $1.startsAt }
        var nextAgenda: [AgendaItemRecord] = []
        if let id = next?.id { nextAgenda = try await AgendaItemRecord.query(on: db).filter(\.$meetingID == id).limit(MeetingTexts.mostAgendaItems).all() }
        let items = try await Meetings.actionItems(of: pair, on: db)
        let today = pair.today
        let overdue = Set(ActionItems.overdue(items.map { Meetings.item($0, pair: pair) }, today: today).map(\.id))
        let openItems = items.filter { $0.doneAt == nil }.map { record in
            let item = Meetings.item(record, pair: pair)
            return MeetingPages.ItemLine(item: item, ownerName: record.ownerID == pair.me ? "you" : pair.otherName, overdue: overdue.contains(item.id))
        }
        let goals = try await Goals.goals(of: pair, on: db)
        var steps: [String] = []
        if pair.state != .concluded {
            if let step = AgreementRules.nextStep(for: pair.side, status: status, otherName: pair.otherName) { steps.append(step) }
            let upcoming = next.map { meeting in
                MeetingSteps.Upcoming(
                    state: meeting.facts.state, proposedBy: meeting.facts.proposedBy, when: MeetingPages.when(meeting.startsAt, in: pair.timeZone),
                    weekday: MeetingPages.weekday(meeting.startsAt, in: pair.timeZone), myAgendaItems: nextAgenda.filter { $0.authorID == pair.me }.count,
                    theirAgendaItems: nextAgenda.filter { $0.authorID != pair.me }.count
                )
            }
            if let step = GoalRules.nextStep(for: pair.side, goals: goals, otherName: pair.otherName, today: today) { steps.append(step) }
            let overdueMine = openItems.filter { $0.overdue && $0.item.owner == pair.side }.count
            steps += MeetingSteps.steps(for: pair.side, otherName: pair.otherName, upcoming: upcoming, everProposed: !meetings.isEmpty, overdueMine: overdueMine, meetingsInTrellis: pair.meetingsInTrellis)
        }
        let events = try await MentorshipEvent.query(on: db).filter(\.$mentorshipID == pair.id).sort(\.$occurredAt, .descending).sort(\.$id, .descending).limit(timelineShown).all()
        var timeline = events.compactMap { event -> WorkspaceView.Entry? in
            guard let kind = TimelineKind(rawValue: event.kind) else { return nil }
            let actor: String? = event.actorID.map { $0 == pair.me ? "You" : pair.name(of: $0) }
            return .init(at: event.occurredAt, sentence: kind.sentence(actor: actor, subject: event.subject))
        }
        // A meeting held is a fact of time passing, not a stored event.
        let held = meetings.filter { MeetingRules.isHeld($0.facts, now: now) }
        timeline += held.map { .init(at: $0.endsAt, sentence: TimelineKind.meetingHeld.sentence(actor: nil, subject: MeetingPages.when($0.startsAt, in: pair.timeZone))) }
        timeline.sort { $0.at > $1.at }
        timeline = Array(timeline.prefix(timelineShown))
        let nextLine = next.flatMap { meeting in
            meeting.id.map { MeetingPages.Line(id: $0, time: meeting.time, state: meeting.facts.state, held: false, proposedBy: meeting.facts.proposedBy, agendaItems: nextAgenda.count) }
        }
        return WorkspaceView(pair: pair, score: score, reasons: why, agreementStatus: status, latestAgreement: versions.last, nextSteps: steps, timeline: timeline,
                             nextMeeting: nextLine, openItems: openItems, meetingsHeld: held.count, goals: goals)
    }
}
