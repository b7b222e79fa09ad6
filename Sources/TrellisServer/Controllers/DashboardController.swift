import Fluent
import TrellisCore
import Vapor

/// The first page after sign-in: how complete your profile is and what to do next; for program
/// managers, the size of the organisation too.
enum DashboardController {
    @Sendable static func show(_ req: Request) async throws -> Response {
        guard let user = req.currentUser else {
            if try await AuthController.needsSetup(req.db) { return req.redirect(to: "/setup") }
            return req.redirect(to: "/sign-in")
        }
        let (draft, _) = try await PeopleStore.draft(for: user, on: req.db)
        let (fraction, missing) = draft.completeness
        var organisation: DashboardView.Organisation?
        if user.isAdmin {
            // Kept counts: the same cost for 200 people or 50,000.
            let counts = try await DirectoryCounts.counts([.account, .role], req)
            func sum(_ roles: [MentoringRole]) -> Int { roles.reduce(0) { $0 + (counts[.role]?[$1.rawValue] ?? 0) } }
            organisation = .init(
                people: counts[.account]?[DirectoryCounts.everyone] ?? 0, mentors: sum(MentoringRole.mentoring),
                mentees: sum(MentoringRole.wantingMentor), withoutPassword: counts[.account]?[DirectoryCounts.withoutPassword] ?? 0
            )
        }
        let view = DashboardView(
            personID: try user.requireID(), firstName: user.name.split(separator: " ").first.map(String.init) ?? user.name,
            percentComplete: Int((fraction * 100).rounded()), missing: missing,
            firstDevelopmentArea: draft.tags(.development).first, organisation: organisation
        )
        return try await DashboardPage.render(req.page, view).encodeResponse(for: req)
    }
}
