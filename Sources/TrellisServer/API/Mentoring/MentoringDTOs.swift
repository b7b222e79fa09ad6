import Foundation
import TrellisCore
import Vapor

/// `Request` in the document: a mentee's request to a mentor (self-select programs).
struct MentoringRequestDTO: Content {
    var id: UUID
    var program_id: UUID
    var mentee: PersonLinkDTO
    var mentor: PersonLinkDTO
    var note: String
    var state: String
    var answer: String
    var created_at: String
    var expires_at: String

    init(_ request: MentoringRequest, names: [UUID: String]) throws {
        id = try request.requireID()
        program_id = request.programID
        mentee = PersonLinkDTO(id: request.menteeID, name: names[request.menteeID] ?? "")
        mentor = PersonLinkDTO(id: request.mentorID, name: names[request.mentorID] ?? "")
        note = request.note
        state = SelfSelectController.effectiveState(request).rawValue
        answer = request.answer
        created_at = APITime.text(request.createdAt) ?? ""
        expires_at = APITime.text(request.expiresAt) ?? ""
    }
}

/// `RequestInput`: a new request.
struct RequestInputDTO: Content {
    var mentor_id: UUID?
    var note: String?
}

/// `AnswerInput`: an accept or decline, with an optional message to the mentee.
struct AnswerInputDTO: Content {
    var message: String?
}

/// `Mentorship` in the document.
struct MentorshipDTO: Content {
    var id: UUID
    var program: PersonLinkDTO
    var mentor: PersonLinkDTO
    var mentee: PersonLinkDTO
    var my_role: String
    var state: String
    var started_on: String
    /// The program's setting: false when its pairs meet only outside Trellis (no meeting can be proposed).
    var meetings_in_trellis: Bool
}

/// `Notification` in the document.
struct NotificationDTO: Content {
    var id: UUID
    var kind: String
    var title: String
    var body: String
    var link: String
    var created_at: String
    var read: Bool

    init(_ item: InAppNotification) throws {
        id = try item.requireID()
        kind = item.kind
        title = item.title
        body = item.body
        link = item.link
        created_at = APITime.text(item.createdAt) ?? ""
        read = item.readAt != nil
    }
}
