import Fluent
import TrellisCore
import Vapor

/// Profile pages and the directory in the web app.
enum ProfileController {
    static func register(_ routes: any RoutesBuilder) {
        routes.get("profile") { req async throws -> Response in
            req.redirect(to: "/people/\(try req.userID())")
        }
        routes.get("profile", "edit") { req async throws -> Response in
            req.redirect(to: "/people/\(try req.userID())/edit")
        }
        routes.get("people", use: directory)
        routes.get("people", ":id", use: show)
        routes.get("people", ":id", "edit", use: editForm)
        routes.post("people", ":id", "edit", use: save)
        routes.get("tags", "suggest", use: suggestTags)
    }

    /// Tag suggestions for the profile form's script (the API offers the same to token holders, in the same `TagListDTO`).
    @Sendable static func suggestTags(_ req: Request) async throws -> TagListDTO {
        guard let kind = TagKind(rawValue: (try? req.query.get(String.self, at: "kind")) ?? "") else {
            throw Abort(.badRequest, reason: "Unknown tag kind.")
        }
        let prefix = (try? req.query.get(String.self, at: "prefix")) ?? ""
        let tags = try await PeopleStore.tagSuggestions(kind: kind, prefix: prefix, limit: 20, on: req.db)
        return TagListDTO(kind: kind, tags: tags)
    }

    static func personID(_ req: Request) throws -> UUID {
        guard let id = req.idParameter else {
            throw Abort(.notFound, reason: "There is no person at this address.")
        }
        return id
    }

    /// A person may edit their own profile; a program manager may edit anyone's.
    static func editable(_ req: Request) async throws -> PeopleStore.Stored {
        let viewer = try req.requireUser()
        let id = try personID(req)
        guard viewer.id == id || viewer.isAdmin else {
            throw Abort(.forbidden, reason: "You can only edit your own profile.")
        }
        guard let stored = try await PeopleStore.person(id, on: req.db) else { throw Abort(.notFound, reason: "There is no person with this id.") }
        return stored
    }

    /// The profile form with the departments and tags in use (from the kept counts).
    static func editPage(_ req: Request, user: User, form: ProfileForm, manager: User?, errors: ValidationErrors) async throws -> HTML {
        async let snapshot = DirectoryCounts.snapshot(req)
        let suggestions = try await DirectoryCounts.popular(limit: 40, req)
        return ProfilePages.edit(
            req.page, person: PageContext.PersonLink(id: try user.requireID(), name: user.name), form: form, manager: manager?.link, errors: errors,
            departments: try await snapshot.departments, suggestions: suggestions)
    }

    @Sendable static func directory(_ req: Request) async throws -> HTML {
        let query = try req.query.decode(DirectoryQuery.self)
        // The kept counts serve both the filter menus and the total.
        let counts = try await DirectoryCounts.snapshot(req)
        let page = try await Directory.search(query, counts: counts, tagsShown: ProfilePages.tagsOnCard, on: req.db)
        return ProfilePages.directory(req.page, query: query, page: page, facets: (counts.departments, counts.timezones))
    }

    @Sendable static func show(_ req: Request) async throws -> HTML {
        let viewer = try req.requireUser()
        let person = try await PersonDetail.load(try personID(req), viewer: viewer, on: req.db)
        let notice: String? = (try? req.query.get(String.self, at: "saved")) != nil ? "Profile saved." : nil
        return ProfilePages.show(req.page, person: person, notice: notice)
    }

    @Sendable static func editForm(_ req: Request) async throws -> HTML {
        let stored = try await editable(req)
        let (user, manager) = (stored.user, stored.manager)
        let draft = try await PeopleStore.draft(for: stored, on: req.db)
        // Only program managers set reporting lines, and only they see every email: a
        // participant's form shows their manager's name, never the address.
        let managerEmail = req.currentUser?.isAdmin == true ? manager?.email ?? "" : ""
        return try await editPage(req, user: user, form: ProfileForm(draft: draft, managerEmail: managerEmail), manager: manager, errors: ValidationErrors())
    }

    @Sendable static func save(_ req: Request) async throws -> Response {
        let stored = try await editable(req)
        let user = stored.user
        let id = try user.requireID()
        let form = try req.content.decode(ProfileForm.self)
        let (draft, readingErrors) = form.draft()
        var errors = readingErrors
        let problems = draft.validate(roleUnreadable: readingErrors["mentoring_role"] != nil)
        for field in problems.order where errors[field] == nil { errors.add(field, problems[field]!) }

        // Reporting lines are set by program managers only (a participant naming someone as
        // their manager would add themselves to that person's reports, and the field would tell
        // them whether an email has an account). A participant's submission leaves it as it is.
        let viewerIsAdmin = req.currentUser?.isAdmin == true
        var managerChange: UUID?? = .none
        if viewerIsAdmin {
            var managerID: UUID?
            let managerEmail = EmailAddress.normalize(form.manager_email ?? "")
            if !managerEmail.isEmpty {
                if let manager = try await User.query(on: req.db).filter(\.$email == managerEmail).first() {
                    managerID = manager.id
                    let managerErrors = try await PeopleStore.checkManager(managerID, for: id, on: req.db)
                    if let message = managerErrors["manager"] { errors.add("manager_email", message) }
                } else {
                    errors.add("manager_email", "No one in Trellis has the email “\(managerEmail)”. Leave it blank if the manager is not here.")
                }
            }
            managerChange = .some(managerID)
        }
        guard errors.isEmpty else {
            let page = try await editPage(req, user: user, form: form, manager: stored.manager, errors: errors)
            return try await req.invalidForm(page)
        }
        try await PeopleStore.save(draft, manager: managerChange, for: id, on: req.db)
        if let viewer = req.currentUser, viewer.id != id {
            try await PeopleStore.audit("person.profile-edit", user.email, by: viewer, on: req.db)
        }
        return req.redirect(to: "/people/\(id)?saved=1")
    }
}
