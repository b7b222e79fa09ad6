import Foundation

/// What a mentorship's timeline records (PRODUCT.md §3–§4: "a timeline of what happened").
/// Each entry names who did it and a few words the pair sees of what it concerns ("version 2",
/// a goal's title); a program's managers are only ever given counts and dates of each kind,
/// never these words.
public enum TimelineKind: String, Sendable, CaseIterable, Codable {
    case agreementWritten = "agreement-written"
    case agreementSigned = "agreement-signed"
    case agreementInForce = "agreement-in-force"
    case meetingScheduled = "meeting-scheduled"
    case meetingCancelled = "meeting-cancelled"
    /// Not stored: a scheduled meeting whose end has passed shows as held.
    case meetingHeld = "meeting-held"
    case actionItemDone = "action-item-done"
    case goalSet = "goal-set"
    case milestoneReached = "milestone-reached"
    case goalReached = "goal-reached"
    case congratulated = "congratulated"
    case feedbackSent = "feedback-sent"
    case thanksSent = "thanks-sent"

    /// The entry as a sentence, from the reader's point of view: `actor` is who did it ("You"
    /// when it was the reader), nil when nobody in particular did.
    public func sentence(actor: String?, subject: String) -> String {
        let who = actor ?? "Someone"
        switch self {
        case .agreementWritten: return subject == "version 1" ? "\(who) wrote the first agreement." : "\(who) proposed \(subject) of the agreement."
        case .agreementSigned: return "\(who) signed \(subject) of the agreement."
        case .agreementInForce: return "Both signed: \(subject) of the agreement is in force."
        case .meetingScheduled: return "\(who) accepted the meeting of \(subject)."
        case .meetingCancelled: return "\(who) cancelled the meeting of \(subject)."
        case .meetingHeld: return "You met (\(subject))."
        case .actionItemDone: return "\(who) finished an action item."
        case .goalSet: return "\(who) set a goal: \(subject)."
        case .milestoneReached: return "\(who) reached a milestone: \(subject)."
        case .goalReached: return "\(who) reached a goal: \(subject)."
        case .congratulated: return "\(who) sent congratulations on \(subject)."
        case .feedbackSent: return "\(who) sent feedback."
        case .thanksSent: return "\(who) sent a thank-you note."
        }
    }

    /// What a program manager may count: a milestone of the relationship, not its content.
    public var managerLabel: String {
        switch self {
        case .agreementWritten: "Agreement versions written"
        case .agreementSigned: "Agreement signatures"
        case .agreementInForce: "Agreements signed by both"
        case .meetingScheduled: "Meetings scheduled"
        case .meetingCancelled: "Meetings cancelled"
        case .meetingHeld: "Meetings held"
        case .actionItemDone: "Action items done"
        case .goalSet: "Goals set"
        case .milestoneReached: "Milestones reached"
        case .goalReached: "Goals reached"
        case .congratulated: "Congratulations sent"
        case .feedbackSent: "Feedback sent"
        case .thanksSent: "Thank-you notes sent"
        }
    }
}
