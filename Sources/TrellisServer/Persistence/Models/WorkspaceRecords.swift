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
