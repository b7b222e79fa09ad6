import Foundation
import Vapor

/// What every page needs from the request, as a plain value made by the controller before the
/// view runs: who is signed in (for the navigation and what they may do) and the form token.
/// Views take this, never the `Request` or a database model, so a view cannot run a query.
struct PageContext: Sendable {
    /// The signed-in person, as the pages use them.
    struct Viewer: Sendable, Equatable {
        var id: UUID
        var name: String
        var email: String
        var isAdmin: Bool
    }

    var viewer: Viewer?
    var csrfToken: String
    /// Unread notifications (up to 100), for the count in the navigation.
    var unreadNotifications: Int = 0

    /// A link to a person's profile: their id and name.
    typealias PersonLink = PersonDetail.PersonLink
}

extension User {
    var viewer: PageContext.Viewer? {
        id.map { PageContext.Viewer(id: $0, name: name, email: email, isAdmin: isAdmin) }
    }

    var link: PageContext.PersonLink? { id.map { PageContext.PersonLink(id: $0, name: name) } }
}

extension Request {
    /// The page context of this request (made once per page, in the controller).
    var page: PageContext {
        PageContext(viewer: currentUser?.viewer, csrfToken: csrfToken, unreadNotifications: storage[UnreadNotificationsKey.self] ?? 0)
    }
}
