import Foundation
import TrellisCore
import TrellisMatching

/// The programs, requests, mentorships and notifications part of the OpenAPI document.
extension OpenAPIDocument {
    static func programSchemas() -> [String: Any] {
        let day: [String: Any] = ["type": ["string", "null"], "format": "date", "description": "A day, YYYY-MM-DD (2000-01-01 to 2999-12-31)."]
        let dateTime: [String: Any] = ["type": "string", "format": "date-time"]
        let weights: [String: Any] = [
            "type": "object", "additionalProperties": false,
            "properties": Dictionary(uniqueKeysWithValues: MatchWeights.factors.map { ($0.key, ["type": "number", "minimum": 0, "maximum": 100, "description": "\($0.label): \($0.explanation)"] as [String: Any]) }),
            "description": "Factor → weight, 0 to 100, at most six decimal places. Weights are relative (scaled to add up to one), and factors left out keep their current weight (on a new program, the defaults, 0.05 to 0.35): send all of them to set the balance. 0 leaves a factor out; at least one must be above 0.",
        ]
        let rules: [String: Any] = [
            "type": "object", "required": ["exclude_same_department", "minimum_score", "allow_repeat_pairs", "maximum_open_requests", "request_expiry_days"],
            "properties": [
                "exclude_same_department": ["type": "boolean"], "minimum_score": ["type": "number"], "allow_repeat_pairs": ["type": "boolean"],
                "maximum_open_requests": ["type": "integer"], "request_expiry_days": ["type": "integer"],
            ],
        ]
        let programProperties: [String: Any] = [
            "id": uuid, "name": string, "description": string, "purpose": string,
            "mode": ["type": "string", "enum": MatchingMode.allCases.map(\.rawValue)],
            "state": ["type": "string", "enum": ProgramState.allCases.map(\.rawValue)],
            "next_step": ["type": "string", "description": "What the program manager does next, in a sentence."],
            "enrolment_opens": day, "enrolment_closes": day, "starts": day, "ends": day,
            "mentors": ["type": "integer"], "mentees": ["type": "integer"],
            "my_role": ["type": ["string", "null"], "enum": ProgramRole.allCases.map(\.rawValue) + [NSNull()] as [Any]],
            "rules": ref("ProgramRules"),
            "meetings_in_trellis": ["type": "boolean", "description": "Whether pairs propose and plan their meetings in Trellis (true, the default) or meet only outside it (no meeting can be proposed)."],
            "weights": ["type": "object", "additionalProperties": ["type": "number"]],
        ]
        let inputDay: [String: Any] = ["type": ["string", "null"], "description": "A day, YYYY-MM-DD; null or empty for none."]
        let programInput: [String: Any] = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "name": ["type": "string", "maxLength": ProgramRules.name.maximum],
                "description": ["type": "string", "maxLength": ProgramRules.description.maximum],
                "purpose": ["type": "string", "maxLength": ProgramRules.purpose.maximum],
                "mode": ["type": "string", "enum": MatchingMode.allCases.map(\.rawValue)],
                "enrolment_opens": inputDay, "enrolment_closes": inputDay, "starts": inputDay, "ends": inputDay,
                "exclude_same_department": ["type": "boolean"],
                "minimum_score": ["type": "number", "minimum": 0, "maximum": 1, "description": "0 to 1, at most six decimal places."],
                "allow_repeat_pairs": ["type": "boolean"],
                "maximum_open_requests": ["type": "integer", "minimum": ProgramRules.openRequests.range.lowerBound, "maximum": ProgramRules.openRequests.range.upperBound],
                "request_expiry_days": ["type": "integer", "minimum": ProgramRules.expiryDays.range.lowerBound, "maximum": ProgramRules.expiryDays.range.upperBound],
                "meetings_in_trellis": ["type": "boolean", "description": "False: pairs meet only outside Trellis and no meeting can be proposed in it (meetings already planned stay). Default true."],
                "weights": weights,
            ],
            "description": "Creating: name is required, the rest has defaults. Changing: fields left out keep their value. Every bad field is named in the 422 answer.",
        ]
        let person = ref("PersonLink")
        let reason: [String: Any] = ["type": "object", "required": ["contribution", "sentence"], "properties": ["contribution": ["type": "number"], "sentence": string]]
        return [
            "ProgramRules": rules,
            "Program": ["type": "object", "required": Array(programProperties.keys).sorted(), "properties": programProperties],
            "ProgramInput": programInput,
            "StateChange": [
                "type": "object", "additionalProperties": false, "required": ["to"],
                "properties": ["to": ["type": "string", "enum": ProgramState.allCases.map(\.rawValue)]],
            ],
            "Enrolment": [
                "type": "object",
                "required": ["id", "person", "email", "department", "role", "capacity", "statement", "self_joined", "profile_complete_percent"],
                "properties": [
                    "id": uuid, "person": person, "email": string, "department": string,
                    "role": ["type": "string", "enum": ProgramRole.allCases.map(\.rawValue)],
                    "capacity": ["type": ["integer", "null"], "description": "Mentors: how many mentees in this program (given for it, else the profile's)."],
                    "statement": string, "self_joined": ["type": "boolean"], "profile_complete_percent": ["type": "integer", "minimum": 0, "maximum": 100],
                ],
            ],
            "PairNumbers": {
                let nullableTime: [String: Any] = ["type": ["string", "null"], "format": "date-time"]
                let count: [String: Any] = ["type": "integer", "minimum": 0]
                let properties: [String: Any] = [
                    "mentorship_id": uuid, "mentor": person, "mentee": person,
                    "state": ["type": "string", "enum": MentorshipState.allCases.map(\.rawValue)],
                    "started_on": ["type": "string", "format": "date"],
                    "agreement": [
                        "type": "object", "required": ["status", "version", "written_at", "signed_at"],
                        "properties": [
                            "status": ["type": "string", "enum": ["not-written", "waiting", "signed"]],
                            "version": ["type": ["integer", "null"], "description": "The latest version's number."],
                            "written_at": ["type": ["string", "null"], "format": "date-time", "description": "When the latest version was written (null: none yet)."],
                            "signed_at": ["type": ["string", "null"], "format": "date-time", "description": "When the latest version signed by both got its second signature."],
                        ],
                    ] as [String: Any],
                    "meetings_held": count, "meetings_cancelled": count, "last_met": nullableTime, "next_meeting": nullableTime,
                    "goals": count, "goals_reached": count, "milestones": count, "milestones_reached": count,
                    "open_action_items": count, "overdue_action_items": count, "feedback_sent": count, "thanks_sent": count,
                    "last_activity": nullableTime,
                    "flags": ["type": "array", "items": ["type": "string", "enum": PairNumbers.Flag.allCases.map(\.rawValue)], "description": "Facts worth a look; empty for a concluded pair."],
                ]
                return [
                    "type": "object", "required": Array(properties.keys).sorted(), "properties": properties,
                    "description": "One pair in counts and dates: never the words of its agreement, agenda, notes, goals or feedback.",
                ] as [String: Any]
            }(),
            "PairNumbersPage": [
                "type": "object", "required": ["items"],
                "properties": ["items": ["type": "array", "items": ref("PairNumbers")], "next_after": ["type": ["string", "null"], "format": "uuid", "description": "Pass as `after` for the next page; null on the last."]],
            ],
            "EnrolmentPage": [
                "type": "object", "required": ["items"],
                "properties": ["items": ["type": "array", "items": ref("Enrolment")], "next_after": ["type": ["string", "null"], "format": "uuid", "description": "Pass as `after` for the next page; null on the last."]],
            ],
            "EnrolmentInput": [
                "type": "object", "additionalProperties": false, "required": ["email", "role"],
                "properties": [
                    "email": string, "role": ["type": "string", "enum": ProgramRole.allCases.map(\.rawValue)],
                    "capacity": ["type": ["integer", "null"], "minimum": EnrolmentRules.capacity.range.lowerBound, "maximum": EnrolmentRules.capacity.range.upperBound, "description": "Mentors only: mentees in this program, over the profile's."],
                ],
            ],
            "MatchRun": [
                "type": "object",
                "required": ["number", "state", "algorithm", "phase", "progress", "mentors", "mentees", "matched", "total_score", "average_score", "proven",
                             "comparison_total_score", "comparison_matched", "message", "created_at"],
                "properties": [
                    "number": ["type": "integer"], "state": ["type": "string", "enum": ["queued", "running", "done", "failed"]],
                    "algorithm": ["type": "string", "enum": ["optimal", "stable"], "description": "optimal: the proven-best total score (bulk programs); stable: a stable match from both sides' rankings (preference programs)."],
                    "phase": string, "progress": ["type": "number", "minimum": 0, "maximum": 1],
                    "mentors": ["type": "integer"], "mentees": ["type": "integer"], "matched": ["type": "integer"],
                    "total_score": ["type": "number"], "average_score": ["type": "number"],
                    "proven": ["type": "boolean", "description": "optimal: a dual certificate proves no higher total exists. stable: every mutually ranked pair was checked and none would both rather be together."],
                    "comparison_total_score": ["type": "number", "description": "optimal: what a greedy match totals. stable: the best total by score alone."],
                    "comparison_matched": ["type": "integer"],
                    "message": ["type": "string", "description": "Why a failed run failed."],
                    "created_at": dateTime, "finished_at": ["type": ["string", "null"], "format": "date-time"], "published_at": ["type": ["string", "null"], "format": "date-time"],
                    "stale": ["type": ["string", "null"], "description": "Why publishing this finished run now is refused (something changed since, or the program's pairs are published), or null."],
                ],
            ],
            "RunPair": [
                "type": "object", "required": ["position", "mentee", "mentor", "score", "locked", "reasons"],
                "properties": [
                    "position": ["type": "integer"], "mentee": person, "mentor": ["oneOf": [person, ["type": "null"]]],
                    "score": ["type": ["number", "null"], "description": "0 to 1; null for an unmatched mentee."],
                    "locked": ["type": "boolean"],
                    "reasons": ["type": "array", "items": ref("Reason"), "description": "Factor by factor, largest first; for an unmatched mentee, the engine's reason."],
                ],
            ],
            "Reason": reason,
            "RunPairPage": [
                "type": "object", "required": ["items"],
                "properties": ["items": ["type": "array", "items": ref("RunPair")], "next_after": ["type": ["integer", "null"], "description": "Pass as `after` for the next page; null on the last."]],
            ],
            "Request": [
                "type": "object", "required": ["id", "program_id", "mentee", "mentor", "note", "state", "answer", "created_at", "expires_at"],
                "properties": [
                    "id": uuid, "program_id": uuid, "mentee": person, "mentor": person,
                    "note": ["type": "string", "description": "Part of matching: the program's managers may read it."],
                    "state": ["type": "string", "enum": RequestState.allCases.map(\.rawValue)],
                    "answer": string, "created_at": dateTime, "expires_at": dateTime,
                ],
            ],
            "RequestInput": [
                "type": "object", "additionalProperties": false, "required": ["mentor_id"],
                "properties": ["mentor_id": uuid, "note": ["type": "string", "maxLength": RequestRules.note.maximum]],
            ],
            "AnswerInput": [
                "type": "object", "additionalProperties": false,
                "properties": ["message": ["type": "string", "maxLength": RequestRules.answer.maximum]],
            ],
            "Mentorship": [
                "type": "object", "required": ["id", "program", "mentor", "mentee", "my_role", "state", "started_on", "meetings_in_trellis"],
                "properties": [
                    "id": uuid, "program": person, "mentor": person, "mentee": person,
                    "my_role": ["type": "string", "enum": ProgramRole.allCases.map(\.rawValue)],
                    "state": ["type": "string", "enum": MentorshipState.allCases.map(\.rawValue)], "started_on": string,
                    "meetings_in_trellis": ["type": "boolean", "description": "False when the program's pairs meet only outside Trellis: no meeting can be proposed or moved."],
                ],
            ],
            "Notification": [
                "type": "object", "required": ["id", "kind", "title", "body", "link", "created_at", "read"],
                "properties": ["id": uuid, "kind": string, "title": string, "body": string, "link": string, "created_at": dateTime, "read": ["type": "boolean"]],
            ],
        ]
    }

    static func programPaths() -> [String: Any] {
        let errorResponse = { (description: String) -> [String: Any] in jsonBody(ref("Error"), description: description) }
        let unauthorized = errorResponse("No valid token.")
        let managersOnly = errorResponse("Only program managers can do this.")
        let noProgram = errorResponse("No such program, or not one you may see.")
        let idParameter: [String: Any] = ["name": "id", "in": "path", "required": true, "schema": uuid]
        let numberParameter: [String: Any] = ["name": "number", "in": "path", "required": true, "schema": ["type": "integer", "minimum": 1, "maximum": 999_999]]
        func body(_ schema: String, required: Bool = true) -> [String: Any] {
            ["required": required, "content": ["application/json": ["schema": ref(schema)]]]
        }
        /// The answers every JSON body can get besides the operation's own.
        func bodyErrors(_ invalid: String) -> [String: Any] {
            [
                "400": errorResponse("The body is not a JSON object of the right shape."),
                "413": errorResponse("The body is larger than \(RequestLimits.formBytes / 1024) KB."),
                "415": errorResponse("The body is not sent as `application/json`."),
                "422": errorResponse(invalid),
            ]
        }
        func merge(_ a: [String: Any], _ b: [String: Any]) -> [String: Any] { a.merging(b) { first, _ in first } }
        let query = { (name: String, description: String, schema: [String: Any]) -> [String: Any] in
            ["name": name, "in": "query", "required": false, "description": description, "schema": schema]
        }
        return [
            "/api/v1/programs": [
                "get": [
                    "operationId": "listPrograms", "summary": "Programs you may see: every program for a program manager; otherwise those open for enrolment and your own. Newest first, at most 200.",
                    "responses": ["200": jsonBody(["type": "array", "items": ref("Program")], description: "The programs."), "401": unauthorized],
                ],
                "post": [
                    "operationId": "createProgram", "summary": "Create a program, in draft (program managers).",
                    "requestBody": body("ProgramInput"),
                    "responses": merge([
                        "201": jsonBody(ref("Program"), description: "The new program; Location is its address."), "401": unauthorized, "403": managersOnly,
                    ], bodyErrors("Invalid or unknown fields; `fields` names each one. Nothing was created.")),
                ],
            ],
            "/api/v1/programs/{id}": [
                "get": [
                    "operationId": "getProgram", "summary": "One program.", "parameters": [idParameter],
                    "responses": ["200": jsonBody(ref("Program"), description: "The program."), "401": unauthorized, "404": noProgram],
                ],
                "patch": [
                    "operationId": "updateProgram", "summary": "Change a program's settings (program managers). Fields left out keep their value.",
                    "parameters": [idParameter], "requestBody": body("ProgramInput"),
                    "responses": merge([
                        "200": jsonBody(ref("Program"), description: "The program as saved."), "401": unauthorized, "403": managersOnly, "404": noProgram,
                        "409": errorResponse("The program's state does not allow this change (its mode once matching; its rules, weights and window once active)."),
                    ], bodyErrors("Invalid or unknown fields; `fields` names each one. Nothing was changed.")),
                ],
            ],
            "/api/v1/programs/{id}/state": ["post": [
                "operationId": "moveProgram", "summary": "Move a program to another state (program managers): draft → enrolling → matching → active → concluded.",
                "parameters": [idParameter], "requestBody": body("StateChange"),
                "responses": merge([
                    "200": jsonBody(ref("Program"), description: "The program in its new state."), "401": unauthorized, "403": managersOnly, "404": noProgram,
                    "409": errorResponse("The move is not allowed now; the message says why."),
                ], bodyErrors("An unknown state.")),
            ]],
            "/api/v1/programs/{id}/enrolments": [
                "get": [
                    "operationId": "listEnrolments", "summary": "A program's participants, fifty at a time in enrolment order (program managers).",
                    "parameters": [
                        idParameter,
                        query("role", "Only mentors or only mentees.", ["type": "string", "enum": ProgramRole.allCases.map(\.rawValue)]),
                        query("after", "The page after this enrolment (next_after of the page you have).", uuid),
                    ],
                    "responses": [
                        "200": jsonBody(ref("EnrolmentPage"), description: "One page."), "401": unauthorized, "403": managersOnly, "404": noProgram,
                        "422": errorResponse("Invalid query parameters."),
                    ],
                ],
                "post": [
                    "operationId": "enrol", "summary": "Enrol someone by email as mentor or mentee (program managers).",
                    "parameters": [idParameter], "requestBody": body("EnrolmentInput"),
                    "responses": merge([
                        "201": jsonBody(ref("Enrolment"), description: "The enrolment."), "401": unauthorized, "403": managersOnly, "404": noProgram,
                    ], bodyErrors("Invalid fields, or the enrolment is refused (unknown email, already enrolled, enrolment closed, …); `fields` says why. Nobody was enrolled.")),
                ],
            ],
            "/api/v1/programs/{id}/pairs": [
                "get": [
                    "operationId": "listPairNumbers", "summary": "A program's pairs in counts and dates, fifty at a time in the order they were made (program managers). Days are UTC.",
                    "parameters": [idParameter, query("after", "The page after this mentorship (next_after of the page you have).", uuid)],
                    "responses": [
                        "200": jsonBody(ref("PairNumbersPage"), description: "One page."), "401": unauthorized, "403": managersOnly, "404": noProgram,
                        "422": errorResponse("Invalid query parameters."),
                    ],
                ],
            ],
            "/api/v1/programs/{id}/runs": [
                "get": [
                    "operationId": "listRuns", "summary": "A program's matching runs, newest first (program managers).", "parameters": [idParameter],
                    "responses": ["200": jsonBody(["type": "array", "items": ref("MatchRun")], description: "The runs."), "401": unauthorized, "403": managersOnly, "404": noProgram],
                ],
                "post": [
                    "operationId": "startRun", "summary": "Start a matching run (program managers): queued, then executed in the background by one server. Poll the run for its state.",
                    "parameters": [idParameter],
                    "responses": [
                        "202": jsonBody(ref("MatchRun"), description: "The queued run; Location is its address."), "401": unauthorized, "403": managersOnly, "404": noProgram,
                        "409": errorResponse("The program is not matching, has no runs (self-select), already has a run in progress, or is published."),
                    ],
                ],
            ],
            "/api/v1/programs/{id}/runs/{number}": ["get": [
                "operationId": "getRun", "summary": "A run's state, progress and totals (program managers).", "parameters": [idParameter, numberParameter],
                "responses": ["200": jsonBody(ref("MatchRun"), description: "The run."), "401": unauthorized, "403": managersOnly, "404": errorResponse("No such program or run.")],
            ]],
            "/api/v1/programs/{id}/runs/{number}/pairs": ["get": [
                "operationId": "getRunPairs", "summary": "A finished run's proposal, fifty at a time: pairs best first, or the unmatched with the engine's reason (program managers).",
                "parameters": [
                    idParameter, numberParameter,
                    query("show", "pairs (default) or unmatched.", ["type": "string", "enum": RunResults.Show.allCases.map(\.rawValue)]),
                    query("after", "The page after this position (next_after of the page you have).", ["type": "integer", "minimum": 0, "maximum": Int(Int32.max) - 1]),
                ],
                "responses": [
                    "200": jsonBody(ref("RunPairPage"), description: "One page."), "401": unauthorized, "403": managersOnly, "404": errorResponse("No such program or run."),
                    "409": errorResponse("The run has no result yet."), "422": errorResponse("Invalid query parameters."),
                ],
            ]],
            "/api/v1/programs/{id}/runs/{number}/publish": ["post": [
                "operationId": "publishRun", "summary": "Publish a finished run (program managers): every pair becomes a mentorship in one transaction, both people are notified, and the program becomes active.",
                "parameters": [idParameter, numberParameter],
                "responses": [
                    "200": jsonBody(ref("MatchRun"), description: "The published run."), "401": unauthorized, "403": managersOnly, "404": errorResponse("No such program or run."),
                    "409": errorResponse("Already published, not finished, or stale (participants, rules or decisions changed since it ran)."),
                ],
            ]],
            "/api/v1/programs/{id}/requests": ["post": [
                "operationId": "createRequest", "summary": "Ask a mentor of a self-select program to mentor you. The note is part of matching: the program's managers may read it.",
                "parameters": [idParameter], "requestBody": body("RequestInput"),
                "responses": merge([
                    "201": jsonBody(ref("Request"), description: "The request, waiting for the mentor's answer."), "401": unauthorized, "404": noProgram,
                    "409": errorResponse("Not a self-select program, or the mentor has no place left (join their waitlist in the web app)."),
                ], bodyErrors("The request is refused: the rule it breaks is named (not a mentor here, yourself, your reporting line, your open requests, …).")),
            ]],
            "/api/v1/requests": ["get": [
                "operationId": "listRequests", "summary": "Your requests, sent and received, newest first (at most 100).",
                "responses": ["200": jsonBody(["type": "array", "items": ref("Request")], description: "The requests."), "401": unauthorized],
            ]],
            "/api/v1/requests/{id}/accept": ["post": [
                "operationId": "acceptRequest", "summary": "Accept a request sent to you: the pair becomes a mentorship.",
                "parameters": [idParameter], "requestBody": body("AnswerInput", required: false),
                "responses": merge([
                    "200": jsonBody(ref("Request"), description: "The accepted request."), "401": unauthorized, "404": errorResponse("No such request sent to you."),
                    "409": errorResponse("The request was answered, withdrawn or expired, the mentee is matched, or you have no place left."),
                ], bodyErrors("The message is too long.")),
            ]],
            "/api/v1/requests/{id}/decline": ["post": [
                "operationId": "declineRequest", "summary": "Decline a request sent to you, with an optional message.",
                "parameters": [idParameter], "requestBody": body("AnswerInput", required: false),
                "responses": merge([
                    "200": jsonBody(ref("Request"), description: "The declined request."), "401": unauthorized, "404": errorResponse("No such request sent to you."),
                    "409": errorResponse("The request is no longer waiting."),
                ], bodyErrors("The message is too long.")),
            ]],
            "/api/v1/requests/{id}/withdraw": ["post": [
                "operationId": "withdrawRequest", "summary": "Withdraw a request you sent.", "parameters": [idParameter],
                "responses": [
                    "200": jsonBody(ref("Request"), description: "The withdrawn request."), "401": unauthorized, "404": errorResponse("No such request of yours."),
                    "409": errorResponse("The request is no longer waiting."),
                ],
            ]],
            "/api/v1/mentorships": ["get": [
                "operationId": "listMentorships", "summary": "Your mentorships, as mentor or mentee, newest first.",
                "responses": ["200": jsonBody(["type": "array", "items": ref("Mentorship")], description: "The mentorships."), "401": unauthorized],
            ]],
            "/api/v1/mentorships/{id}": ["get": [
                "operationId": "getMentorship", "summary": "One of your mentorships (the pair's alone).", "parameters": [idParameter],
                "responses": ["200": jsonBody(ref("Mentorship"), description: "The mentorship."), "401": unauthorized, "404": errorResponse("No such mentorship of yours.")],
            ]],
            "/api/v1/notifications": ["get": [
                "operationId": "listNotifications", "summary": "Your notifications, newest first (at most 100).",
                "responses": ["200": jsonBody(["type": "array", "items": ref("Notification")], description: "The notifications."), "401": unauthorized],
            ]],
            "/api/v1/notifications/{id}/read": ["post": [
                "operationId": "readNotification", "summary": "Mark one of your notifications read.", "parameters": [idParameter],
                "responses": ["200": jsonBody(ref("Notification"), description: "The notification, read."), "401": unauthorized, "404": errorResponse("No such notification of yours.")],
            ]],
        ]
    }
}
