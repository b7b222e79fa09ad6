import Foundation
import NIOConcurrencyHelpers
import TrellisCore

/// The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`. Kept beside the
/// controller it describes; a test checks that every documented path answers and every API route
/// is documented.
enum OpenAPIDocument {
    static func json(baseURL: String) -> Data {
        (try? JSONSerialization.data(withJSONObject: document(baseURL: baseURL), options: [.prettyPrinted, .sortedKeys])) ?? Data()
    }

    private static let cache = NIOLockedValueBox<[String: Data]>([:])

    /// The document as served: made once per base URL (it never changes while the server runs).
    static func cachedJSON(baseURL: String) -> Data {
        if let data = cache.withLockedValue({ $0[baseURL] }) { return data }
        let data = json(baseURL: baseURL)
        cache.withLockedValue { $0[baseURL] = data }
        return data
    }

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static var string: [String: Any] { ["type": "string"] }
    static var nullableString: [String: Any] { ["type": ["string", "null"]] }
    static var nullableInteger: [String: Any] { ["type": ["integer", "null"]] }
    static var stringArray: [String: Any] { ["type": "array", "items": ["type": "string"]] }
    static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }

    static func jsonBody(_ schema: [String: Any], description: String) -> [String: Any] {
        ["description": description, "content": ["application/json": ["schema": schema]]]
    }


    static func document(baseURL: String) -> [String: Any] {
        let personLink: [String: Any] = [
            "type": "object", "required": ["id", "name"],
            "properties": ["id": uuid, "name": string],
        ]
        let personDetailProperties: [String: Any] = [
            "id": uuid, "name": string,
            "email": ["type": ["string", "null"], "description": "Null when the person keeps contact details private and you are neither them nor a program manager."],
            "phone": nullableString, "location": string, "contact_private": ["type": "boolean"],
            "headline": string, "bio": string, "department": string,
            "manager": ["oneOf": [ref("PersonLink"), ["type": "null"]]],
            "reports": ["type": "array", "items": ref("PersonLink")],
            "years_experience": nullableInteger, "timezone": string,
            "mentoring_role": ["type": ["string", "null"], "enum": MentoringRole.allCases.map(\.rawValue) + [NSNull()] as [Any]],
            "capacity_mentees": nullableInteger, "capacity_hours": nullableInteger,
            "meeting_frequency": ["type": ["string", "null"], "enum": MeetingFrequency.allCases.map(\.rawValue) + [NSNull()] as [Any]],
            "communication_methods": ["type": "array", "items": ["type": "string", "enum": CommunicationMethod.allCases.map(\.rawValue)]],
            "career_goals": string,
            "languages": stringArray, "expertise": stringArray, "development_areas": stringArray,
            "interests": stringArray, "values": stringArray,
        ]
        /// A text field's schema from its rule.
        func text(_ rule: ProfileRules.Text) -> [String: Any] {
            rule.required ? ["type": "string", "minLength": 1, "maxLength": rule.maximum] : ["type": "string", "maxLength": rule.maximum]
        }
        func number(_ rule: ProfileRules.Number, _ description: String? = nil) -> [String: Any] {
            var schema: [String: Any] = ["type": ["integer", "null"], "minimum": rule.range.lowerBound, "maximum": rule.range.upperBound]
            if let description { schema["description"] = description }
            return schema
        }
        let tagList: [String: Any] = [
            "type": "array", "maxItems": Tags.maximumCount,
            "items": ["type": "string", "maxLength": Tags.maximumLength, "pattern": "^[^;]*$"],
            "description": "At most \(Tags.maximumCount) entries of at most \(Tags.maximumLength) characters each, without “;”; trimmed and de-duplicated without regard to case.",
        ]
        var profileUpdateProperties: [String: Any] = [
            "manager_id": ["type": ["string", "null"], "format": "uuid", "description": "Program managers only: who this person reports to (null for nobody). A participant may leave it out or send their current manager; anything else is refused with 422."],
            "years_experience": number(ProfileRules.yearsExperience),
            "timezone": ["type": "string", "description": "An IANA time-zone name such as Europe/Berlin, or empty."],
            "mentoring_role": ["type": ["string", "null"], "enum": MentoringRole.allCases.map(\.rawValue) + [NSNull()] as [Any]],
            "capacity_mentees": number(ProfileRules.capacityMentees, "How many mentees at once: required when mentoring_role is mentor or both, and must be null or left out otherwise (422)."),
            "capacity_hours": number(ProfileRules.capacityHours, "Hours a month for mentoring: only when mentoring_role is mentor or both (422 otherwise)."),
            "meeting_frequency": ["type": ["string", "null"], "enum": MeetingFrequency.allCases.map(\.rawValue) + [NSNull()] as [Any]],
            "communication_methods": ["type": "array", "items": ["type": "string", "enum": CommunicationMethod.allCases.map(\.rawValue)]],
            "contact_private": ["type": "boolean"],
            "languages": tagList, "expertise": tagList, "development_areas": tagList,
            "interests": tagList, "values": tagList,
        ]
        for field in ProfileDraft.textFields { profileUpdateProperties[field.name] = text(field.rule) }
        let personSummaryProperties: [String: Any] = [
            "id": uuid, "name": string, "headline": string, "department": string, "timezone": string,
            "location": string, "mentoring_role": ["type": ["string", "null"]],
            "expertise": stringArray, "development_areas": stringArray, "interests": stringArray,
        ]
        let queryParameter = { (name: String, description: String, schema: [String: Any]) -> [String: Any] in
            ["name": name, "in": "query", "required": false, "description": description, "schema": schema]
        }
        var schemas: [String: Any] = [
            "Error": [
                "type": "object", "required": ["error"],
                "properties": ["error": string, "fields": ["type": "object", "additionalProperties": ["type": "string"], "description": "Field name → what is wrong with it."]],
            ],
            "Me": [
                "type": "object", "required": ["id", "email", "name", "role"],
                "properties": ["id": uuid, "email": string, "name": string, "role": ["type": "string", "enum": AccountRole.allCases.map(\.rawValue)]],
            ],
            "PersonLink": personLink,
            // Every field is present; one without a value is null.
            "PersonDetail": ["type": "object", "required": Array(personDetailProperties.keys).sorted(), "properties": personDetailProperties],
            // Every field may be left out or null: either clears it (name and a participant's
            // manager_id are kept instead).
            "ProfileUpdate": ["type": "object", "additionalProperties": false, "properties": profileUpdateProperties.mapValues(Self.nullable)],
            "PersonSummary": ["type": "object", "required": ["id", "name", "headline", "department", "timezone", "location", "expertise", "development_areas", "interests"], "properties": personSummaryProperties],
            "DirectoryPage": [
                "type": "object", "required": ["items", "page", "per", "has_next", "more_than_listed"],
                "properties": [
                    "items": ["type": "array", "items": ref("PersonSummary")], "page": ["type": "integer"], "per": ["type": "integer"],
                    "total": ["type": "integer", "description": "How many people there are in all. Left out for a search (q) whose matches go on past this page: they are read in order of relevance a page at a time, not counted; follow has_next."],
                    "has_next": ["type": "boolean", "description": "Whether a next page has people."],
                    "more_than_listed": ["type": "boolean", "description": "A search (q) lists at most \(DirectoryQuery.maximumSearchResults) people, most relevant first: true when it matched more than it lists (narrow it with more words or filters)."],
                ],
            ],
            "TagList": [
                "type": "object", "required": ["kind", "tags"],
                "properties": ["kind": string, "tags": ["type": "array", "items": ["type": "object", "required": ["name", "count"], "properties": ["name": string, "count": ["type": "integer"]]]]],
            ],
        ]
        let errorResponse = { (description: String) -> [String: Any] in jsonBody(ref("Error"), description: description) }
        var paths: [String: Any] = [
            "/api/v1/me": ["get": [
                "operationId": "getMe", "summary": "The person the token belongs to.",
                "responses": ["200": jsonBody(ref("Me"), description: "The current person."), "401": errorResponse("No valid token.")],
            ]],
            "/api/v1/me/profile": [
                "get": [
                    "operationId": "getMyProfile", "summary": "Your full profile.",
                    "responses": ["200": jsonBody(ref("PersonDetail"), description: "Your profile."), "401": errorResponse("No valid token.")],
                ],
                "put": [
                    "operationId": "replaceMyProfile", "summary": "Replace your profile. Fields left out are cleared; name (and, for participants, manager_id) is kept when left out. Unknown fields are refused.",
                    "requestBody": ["required": true, "content": ["application/json": ["schema": ref("ProfileUpdate")]]],
                    "responses": [
                        "200": jsonBody(ref("PersonDetail"), description: "The saved profile."),
                        "400": errorResponse("The body is not JSON of the right shape."),
                        "401": errorResponse("No valid token."),
                        "413": errorResponse("The body is larger than \(RequestLimits.formBytes / 1024) KB."),
                        "415": errorResponse("The body is not sent as `application/json`."),
                        "422": errorResponse("Invalid fields, or fields the schema does not have; `fields` names each one. Nothing was changed."),
                    ],
                ],
            ],
            "/api/v1/people": ["get": [
                "operationId": "listPeople", "summary": "Search the directory.",
                "parameters": [
                    queryParameter("q", "At most \(DirectoryQuery.maximumSearchLength) characters. Text matched against names and tags: every word at the start of a word of the name or of a tag (of the kinds the role looks at). Results come most relevant first: names starting with the text, other names with every word, an exact tag, then everyone else who matches; each in name order.", ["type": "string", "maxLength": DirectoryQuery.maximumSearchLength]),
                    queryParameter("department", "Exact department.", string),
                    queryParameter("role", "mentor (can mentor) or mentee (wants a mentor); people who do both match either.", ["type": "string", "enum": MentoringRole.allCases.map(\.rawValue)]),
                    queryParameter("timezone", "Exact IANA time zone.", string),
                    queryParameter("tag", "Exact tag, any kind.", string),
                    queryParameter("page", "Page number, from 1 to \(DirectoryQuery.maximumPage); past the last page answers the last page.", ["type": "integer", "minimum": 1, "maximum": DirectoryQuery.maximumPage]),
                    queryParameter("per", "Page size, 1 to \(DirectoryQuery.maximumPageSize) (default \(DirectoryQuery.defaultPageSize)).", ["type": "integer", "minimum": 1, "maximum": DirectoryQuery.maximumPageSize]),
                    queryParameter("after", "The page after this person (the id of the last item of the page you have), read along the name index: as fast on a deep page as on the first. Not with q. If the person is gone or nothing follows them, the numbered page is answered; page then only labels the result.", uuid),
                    queryParameter("before", "The page before this person (the id of the first item of the page you have). Not with q or after.", uuid),
                ],
                "responses": [
                    "200": jsonBody(ref("DirectoryPage"), description: "One page of people."), "400": errorResponse("The query string cannot be read (a malformed parameter name)."),
                    "401": errorResponse("No valid token."), "422": errorResponse("Invalid query parameters."),
                ],
            ]],
            "/api/v1/people/{id}": ["get": [
                "operationId": "getPerson", "summary": "One person's profile as you may see it.",
                "parameters": [["name": "id", "in": "path", "required": true, "schema": uuid]],
                "responses": ["200": jsonBody(ref("PersonDetail"), description: "The person."), "401": errorResponse("No valid token."), "404": errorResponse("No such person.")],
            ]],
            "/api/v1/tags": ["get": [
                "operationId": "listTags", "summary": "Tags in use of one kind, most used first (for suggestions).",
                "parameters": [
                    ["name": "kind", "in": "query", "required": true, "schema": ["type": "string", "enum": TagKind.allCases.map(\.rawValue)]],
                    queryParameter("prefix", "Only tags starting with this text.", string),
                ],
                "responses": [
                    "200": jsonBody(ref("TagList"), description: "Tags and how many people use each."),
                    "401": errorResponse("No valid token."), "422": errorResponse("Unknown kind."),
                ],
            ]],
        ]
        schemas.merge(programSchemas()) { first, _ in first }
        paths.merge(programPaths()) { first, _ in first }
        schemas.merge(workspaceSchemas()) { first, _ in first }
        paths.merge(workspacePaths()) { first, _ in first }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Trellis API", "version": "1.0.0",
                "description": "The Trellis mentoring platform. Authenticate with a personal token created under Settings: `Authorization: Bearer <token>`.",
            ],
            "servers": [["url": baseURL]],
            "security": [["bearerAuth": [String]()]],
            "paths": paths,
            "components": [
                "schemas": schemas,
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer", "description": "A personal API token (trl_…)."]],
            ],
        ]
    }

    /// The same schema, also allowing null.
    static func nullable(_ schema: Any) -> Any {
        guard var schema = schema as? [String: Any] else { return schema }
        if let type = schema["type"] as? String { schema["type"] = [type, "null"] }
        if var types = schema["type"] as? [String], !types.contains("null") { types.append("null"); schema["type"] = types }
        if let values = schema["enum"] as? [Any], !values.contains(where: { $0 is NSNull }) { schema["enum"] = values + [NSNull()] }
        return schema
    }

    /// Documented paths, with `{id}` placeholders, for the route-coverage test.
    static var documentedPaths: [String] {
        ((document(baseURL: "")["paths"] as? [String: Any]) ?? [:]).keys.sorted()
    }
}
