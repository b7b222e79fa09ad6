import Fluent
import Foundation
import TrellisCore

/// One version of a pair's agreement (`AgreementVersion` in TrellisCore is what the rules read).
final class AgreementRecord: Model, @unchecked Sendable {
    static let schema = "agreement_versions"

    @ID(key: .id) var id: UUID?
    @Field(key: "mentorship_id") var mentorshipID: UUID
    @Field(key: "number") var number: Int
    @Field(key: "meeting_frequency") var meetingFrequency: String
    @Field(key: "communication_methods") var communicationMethods: String
    @Field(key: "confidentiality") var confidentiality: String
    @Field(key: "mentee_goals") var menteeGoals: String
    @Field(key: "mentor_goals") var mentorGoals: String
    @Field(key: "boundaries") var boundaries: String
    @Field(key: "review_on") var reviewOn: String
    @Field(key: "ends_on") var endsOn: String
    @Field(key: "written_by") var writtenBy: UUID
    @Field(key: "written_side") var writtenSide: String
    @Field(key: "written_at") var writtenAt: Date
    @OptionalField(key: "mentor_signed_at") var mentorSignedAt: Date?
    @OptionalField(key: "mentee_signed_at") var menteeSignedAt: Date?

    init() {}

    init(mentorshipID: UUID, number: Int, terms: AgreementTerms, writtenBy: UUID, side: PairSide, now: Date) {
        id = OrderedUUID.make(now: now)
        self.mentorshipID = mentorshipID
        self.number = number
        meetingFrequency = terms.meetingFrequency.rawValue
        communicationMethods = terms.communicationMethods.map(\.rawValue).joined(separator: ",")
        confidentiality = terms.confidentiality
        menteeGoals = terms.menteeGoals
        mentorGoals = terms.mentorGoals
        boundaries = terms.boundaries
        reviewOn = terms.reviewOn.description
        endsOn = terms.endsOn.description
        self.writtenBy = writtenBy
        writtenSide = side.rawValue
        writtenAt = now
    }

    /// The version as the rules read it. Stored values that no longer parse (a hand-edited row)
    /// read as the nearest sensible value rather than failing the page.
    var version: AgreementVersion {
        let terms = AgreementTerms(
            meetingFrequency: MeetingFrequency(rawValue: meetingFrequency) ?? .asNeeded,
            communicationMethods: communicationMethods.split(separator: ",").compactMap { CommunicationMethod(rawValue: String($0)) },
            confidentiality: confidentiality, menteeGoals: menteeGoals, mentorGoals: mentorGoals, boundaries: boundaries,
            reviewOn: CalendarDay(reviewOn) ?? CalendarDay(year: 2000, month: 1, day: 1)!,
            endsOn: CalendarDay(endsOn) ?? CalendarDay(year: 2000, month: 1, day: 1)!
        )
        return AgreementVersion(
            number: number, terms: terms, writtenBy: PairSide(rawValue: writtenSide) ?? .mentee, writtenAt: writtenAt,
            mentorSignedAt: mentorSignedAt, menteeSignedAt: menteeSignedAt
        )
    }
}

/// Something that happened in a mentorship, for its timeline.
final class MentorshipEvent: Model, @unchecked Sendable {
    static let schema = "mentorship_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "mentorship_id") var mentorshipID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "actor_id") var actorID: UUID?
    /// A few words naming what it concerns ("version 2"), shown to the pair only.
    @Field(key: "subject") var subject: String
    @Field(key: "occurred_at") var occurredAt: Date

    init() {}

    init(mentorshipID: UUID, kind: TimelineKind, actorID: UUID?, subject: String, now: Date) {
        id = OrderedUUID.make(now: now)
        self.mentorshipID = mentorshipID
        self.kind = kind.rawValue
        self.actorID = actorID
        self.subject = subject
        occurredAt = now
    }
}

/// A meeting of a pair (`MeetingRules` decides what may change).
final class MeetingRecord: Model, @unchecked Sendable {
    static let schema = "meetings"

    @ID(key: .id) var id: UUID?
    @Field(key: "mentorship_id") var mentorshipID: UUID
    @Field(key: "state") var state: String
    @Field(key: "proposed_by") var proposedBy: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "place") var place: String
    @Field(key: "sequence") var sequence: Int
    @OptionalField(key: "cancel_reason") var cancelReason: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(mentorshipID: UUID, proposedBy: PairSide, time: MeetingTime, now: Date) {
        id = OrderedUUID.make(now: now)
        self.mentorshipID = mentorshipID
        state = MeetingState.proposed.rawValue
        self.proposedBy = proposedBy.rawValue
        startsAt = time.startsAt
        endsAt = time.endsAt
        timeZone = time.timeZone
        place = time.place
        sequence = 0
        createdAt = now
        updatedAt = now
    }

    var time: MeetingTime { MeetingTime(startsAt: startsAt, endsAt: endsAt, timeZone: timeZone, place: place) }
    var facts: MeetingRules.Facts {
        MeetingRules.Facts(state: MeetingState(rawValue: state) ?? .cancelled, proposedBy: PairSide(rawValue: proposedBy) ?? .mentee, time: time)
    }
}

final class MeetingChangeRecord: Model, @unchecked Sendable {
    static let schema = "meeting_changes"

    @ID(key: .id) var id: UUID?
    @Field(key: "meeting_id") var meetingID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "reason") var reason: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @Field(key: "occurred_at") var occurredAt: Date

    init() {}

    init(meetingID: UUID, kind: MeetingChange, actorID: UUID, reason: String, time: MeetingTime, now: Date) {
        id = OrderedUUID.make(now: now)
        self.meetingID = meetingID
        self.kind = kind.rawValue
        self.actorID = actorID
        self.reason = reason
        startsAt = time.startsAt
        endsAt = time.endsAt
        occurredAt = now
    }
}

final class AgendaItemRecord: Model, @unchecked Sendable {
    static let schema = "agenda_items"

    @ID(key: .id) var id: UUID?
    @Field(key: "meeting_id") var meetingID: UUID
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "text") var text: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(meetingID: UUID, authorID: UUID, kind: AgendaKind, text: String, now: Date) {
        id = OrderedUUID.make(now: now)
        self.meetingID = meetingID
        self.authorID = authorID
        self.kind = kind.rawValue
        self.text = text
        createdAt = now
    }
}

final class MeetingNoteRecord: Model, @unchecked Sendable {
    static let schema = "meeting_notes"

    @ID(key: .id) var id: UUID?
    @Field(key: "meeting_id") var meetingID: UUID
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "private") var isPrivate: Bool
    /// The text of a shared note; a private note's sealed box (`NoteSealing`).
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class ActionItemRecord: Model, @unchecked Sendable {
    static let schema = "action_items"

    @ID(key: .id) var id: UUID?
    @Field(key: "mentorship_id") var mentorshipID: UUID
    @OptionalField(key: "meeting_id") var meetingID: UUID?
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "text") var text: String
    @OptionalField(key: "due_on") var dueOn: String?
    @OptionalField(key: "done_at") var doneAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class CalendarFeed: Model, @unchecked Sendable {
    static let schema = "calendar_feeds"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class GoalRecord: Model, @unchecked Sendable {
    static let schema = "goals"

    @ID(key: .id) var id: UUID?
    @Field(key: "mentorship_id") var mentorshipID: UUID
    @Field(key: "owner_side") var ownerSide: String
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "term") var term: String
    @OptionalField(key: "target_on") var targetOn: String?
    @OptionalField(key: "reached_at") var reachedAt: Date?
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class MilestoneRecord: Model, @unchecked Sendable {
    static let schema = "milestones"

    @ID(key: .id) var id: UUID?
    @Field(key: "goal_id") var goalID: UUID
    @Field(key: "title") var title: String
    @Field(key: "position") var position: Int
    @OptionalField(key: "reached_at") var reachedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class CongratulationRecord: Model, @unchecked Sendable {
    static let schema = "congratulations"

    @ID(key: .id) var id: UUID?
    @Field(key: "goal_id") var goalID: UUID
    @OptionalField(key: "milestone_id") var milestoneID: UUID?
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "text") var text: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class FeedbackRecord: Model, @unchecked Sendable {
    static let schema = "feedback"

    @ID(key: .id) var id: UUID?
    @Field(key: "mentorship_id") var mentorshipID: UUID
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "worked") var worked: String
    @Field(key: "better") var better: String
    @Field(key: "message") var message: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

final class JournalEntryRecord: Model, @unchecked Sendable {
    static let schema = "journal_entries"

    @ID(key: .id) var id: UUID?
    @Field(key: "mentorship_id") var mentorshipID: UUID
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "prompt") var prompt: String
    /// Sealed (`NoteSealing`).
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
