import Fluent
import TrellisCore
import Vapor

/// `/api/v1`: the current person, their profile, the directory and tag suggestions.
enum APIController {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1")
        api.get("openapi.json") { req async throws -> Response in
            let response = Response(status: .ok, body: .init(data: OpenAPIDocument.cachedJSON(baseURL: req.application.trellisSettings.baseURL)))
            response.headers.contentType = .json
            return response
        }
        let authed = api.grouped(APIBodyLimitMiddleware(), APIAuthMiddleware())
        authed.get("me", use: me)
        authed.get("me", "profile", use: myProfile)
        authed.put("me", "profile", use: updateMyProfile)
        authed.get("people", use: people)
        authed.get("people", ":id", use: person)
        authed.get("tags", use: tags)
        // Unknown API paths answer in JSON too.
        api.get("**") { _ -> Response in throw Abort(.notFound, reason: "There is no API endpoint at this path.") }
    }

    struct Me: Content {
        var id: UUID
        var email: String
        var name: String
        var role: String
    }

    @Sendable static func me(_ req: Request) async throws -> Me {
        let user = try req.requireUser()
        return Me(id: try user.requireID(), email: user.email, name: user.name, role: user.role)
    }

    @Sendable static func myProfile(_ req: Request) async throws -> PersonDetail {
        let user = try req.requireUser()
        return try await PersonDetail.load(user.requireID(), viewer: user, on: req.db)
    }

    /// The whole profile, replaced. Fields left out are cleared, except `name` (kept when absent).
    struct ProfileUpdate: Content {
        var name: String?
        var headline: String?
        var bio: String?
        var department: String?
        var manager_id: UUID?
        var years_experience: Int?
        var timezone: String?
        var mentoring_role: String?
        var capacity_mentees: Int?
        var capacity_hours: Int?
        var meeting_frequency: String?
        var communication_methods: [String]?
        var career_goals: String?
        var phone: String?
        var location: String?
        var contact_private: Bool?
        var languages: [String]?
        var expertise: [String]?
        var development_areas: [String]?
        var interests: [String]?
        var values: [String]?

        static let fieldNames: Set<String> = [
            "name", "headline", "bio", "department", "manager_id", "years_experience", "timezone", "mentoring_role",
            "capacity_mentees", "capacity_hours", "meeting_frequency", "communication_methods", "career_goals", "phone",
            "location", "contact_private", "languages", "expertise", "development_areas", "interests", "values",
        ]
    }

    @Sendable static func updateMyProfile(_ req: Request) async throws -> PersonDetail {
        let user = try req.requireUser()
        let id = try user.requireID()
        guard req.headers.contentType == .json else {
            throw Abort(.unsupportedMediaType, reason: "Send the profile as JSON, with the header “Content-Type: application/json”.")
        }
        // The schema allows no other fields: a misspelt one would otherwise be dropped silently.
        if let data = req.body.data, let object = try? JSONSerialization.jsonObject(with: Data(buffer: data)) as? [String: Any] {
            let unknown = object.keys.filter { !ProfileUpdate.fieldNames.contains($0) }.sorted()
            if !unknown.isEmpty {
                var errors = ValidationErrors()
                for field in unknown.prefix(20) { errors.add(field.excerpt(100), "Unknown field. Allowed fields: \(ProfileUpdate.fieldNames.sorted().joined(separator: ", ")).") }
                throw InvalidInput(message: "The profile was not saved: the body has fields a profile does not have.", errors: errors)
            }
        }
        let input = try req.content.decode(ProfileUpdate.self)
        var errors = ValidationErrors()
        // The limits the document states hold for what is sent (cleaning may shorten it later).
        let texts: [(String, String?, ProfileRules.Text)] = [
            ("name", input.name, ProfileRules.name), ("headline", input.headline, ProfileRules.headline), ("bio", input.bio, ProfileRules.bio),
            ("department", input.department, ProfileRules.department), ("career_goals", input.career_goals, ProfileRules.careerGoals),
            ("phone", input.phone, ProfileRules.phone), ("location", input.location, ProfileRules.location),
        ]
        for (field, value, rule) in texts {
            if let value, let problem = rule.problem(sent: value) { errors.add(field, problem) }
        }
        let lists: [(TagKind, [String]?)] = [
            (.language, input.languages), (.expertise, input.expertise), (.development, input.development_areas),
            (.interest, input.interests), (.value, input.values),
        ]
        for (kind, list) in lists {
            if let list, let problem = ProfileRules.tagsProblem(sent: list, kind: kind) { errors.add(kind.rawValue, problem) }
        }
        /// A choice as the document lists it (exactly: the forms and files are the ones that forgive
        /// letter case); an empty text is not a choice (null is how JSON says none, or leaving an
        /// entry out of a list).
        func choice<Value: Choice>(_ field: String, _ raw: String?, as type: Value.Type, inList: Bool = false) -> Value? {
            guard let raw else { return nil }
            if raw.isEmpty {
                let instead = inList ? "leave the entry out" : "send null"
                if errors[field] == nil { errors.add(field, "\(Value.choiceLabel): choose \(Value.allowedText), or \(instead) (got an empty text).") }
                return nil
            }
            switch ProfileRules.exactChoice(raw, as: type) {
            case .success(let value): return value
            case .failure(let failure):
                if errors[field] == nil { errors.add(field, failure.message) }
                return nil
            }
        }
        let role = choice("mentoring_role", input.mentoring_role, as: MentoringRole.self)
        let frequency = choice("meeting_frequency", input.meeting_frequency, as: MeetingFrequency.self)
        let methods = (input.communication_methods ?? []).compactMap { choice("communication_methods", $0, as: CommunicationMethod.self, inList: true) }
        let draft = ProfileDraft(
            name: input.name ?? user.name, headline: input.headline ?? "", bio: input.bio ?? "", department: input.department ?? "",
            yearsExperience: input.years_experience, timezone: input.timezone ?? "", mentoringRole: role,
            capacityMentees: input.capacity_mentees, capacityHoursPerMonth: input.capacity_hours, meetingFrequency: frequency,
            communicationMethods: methods, careerGoals: input.career_goals ?? "", phone: input.phone ?? "",
            location: input.location ?? "", contactPrivate: input.contact_private ?? false,
            tags: [
                .language: input.languages ?? [], .expertise: input.expertise ?? [], .development: input.development_areas ?? [],
                .interest: input.interests ?? [], .value: input.values ?? [],
            ]
        ).normalized()
        let problems = draft.validate(roleUnreadable: errors["mentoring_role"] != nil)
        for field in problems.order where errors[field] == nil { errors.add(field, problems[field]!) }
        // Reporting lines are set by program managers. A participant may send their current
        // manager back (or leave the field out); anything else is refused.
        var managerChange: UUID?? = .none
        if user.isAdmin {
            let managerErrors = try await PeopleStore.checkManager(input.manager_id, for: id, on: req.db)
            if let message = managerErrors["manager"] { errors.add("manager_id", message) }
            managerChange = .some(input.manager_id)
        } else if let requested = input.manager_id, requested != (try await Profile.find(id, on: req.db))?.managerID {
            errors.add("manager_id", "Only a program manager can change who you report to. Leave this field out, or send your current manager.")
        }
        guard errors.isEmpty else { throw InvalidInput(message: "The profile was not saved: some fields are not valid.", errors: errors) }
        try await PeopleStore.save(draft, manager: managerChange, for: id, on: req.db)
        return try await PersonDetail.load(id, viewer: user, on: req.db)
    }

    @Sendable static func people(_ req: Request) async throws -> DirectoryPage {
        let query = try req.query.decode(DirectoryQuery.self)
        var errors = query.pagingErrors()
        if let role = query.role, case .failure(let failure) = ProfileRules.exactChoice(role, as: MentoringRole.self) {
            errors.add("role", failure.message)
        }
        guard errors.isEmpty else { throw InvalidInput(message: "The query is not valid.", errors: errors) }
        return try await Directory.search(query, counts: try await DirectoryCounts.snapshot(req), on: req.db)
    }

    @Sendable static func person(_ req: Request) async throws -> PersonDetail {
        let viewer = try req.requireUser()
        guard let id = req.idParameter else { throw Abort(.notFound, reason: "There is no person with this id.") }
        return try await PersonDetail.load(id, viewer: viewer, on: req.db)
    }

    struct TagCount: Content {
        var name: String
        var count: Int
    }

    struct TagList: Content {
        var kind: String
        var tags: [TagCount]
    }

    @Sendable static func tags(_ req: Request) async throws -> TagList {
        let raw = (try? req.query.get(String.self, at: "kind")) ?? ""
        guard let kind = TagKind(rawValue: raw) else {
            throw InvalidInput(message: "The query is not valid.", errors: ValidationErrors(field: "kind", "Allowed values: \(TagKind.allCases.map(\.rawValue).joined(separator: ", ")).") )
        }
        let prefix = (try? req.query.get(String.self, at: "prefix")) ?? ""
        let tags = try await PeopleStore.tagSuggestions(kind: kind, prefix: prefix, on: req.db)
        return TagList(kind: kind.rawValue, tags: tags.map { TagCount(name: $0.name, count: $0.count) })
    }
}

/// A method the OpenAPI document does not list for an API path answers 405 with an `Allow` header
/// naming the ones it does (any method, including ones the router has never heard of, such as
/// QUERY), before routing, which would answer 404.
struct APIMethodMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.url.path.hasPrefix("/api/v1/"), let allowed = Self.methods(for: request.url.path),
              !allowed.contains(request.method), !(request.method == .HEAD && allowed.contains(.GET))
        else { return try await next.respond(to: request) }
        let response = Response(status: .methodNotAllowed)
        response.headers.replaceOrAdd(name: .allow, value: (allowed + (allowed.contains(.GET) ? [.HEAD] : [])).map(\.rawValue).joined(separator: ", "))
        try response.content.encode(APIErrorBody(error: "This endpoint accepts \(allowed.map(\.rawValue).joined(separator: " and ")) only."), as: .json)
        return response
    }

    /// The methods the document lists for a path, or nil when it does not document the path.
    static func methods(for path: String) -> [HTTPMethod]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        for (pattern, methods) in documented {
            guard pattern.count == parts.count, zip(pattern, parts).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) else { continue }
            return methods
        }
        return nil
    }

    /// Each documented path, split at its slashes, with its methods: read from the document once.
    static let documented: [([String], [HTTPMethod])] = {
        let paths = (OpenAPIDocument.document(baseURL: "")["paths"] as? [String: [String: Any]]) ?? [:]
        return paths.map { path, operations in
            (path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init),
             operations.keys.map { HTTPMethod(rawValue: $0.uppercased()) }.sorted { $0.rawValue < $1.rawValue })
        }
    }()
}
