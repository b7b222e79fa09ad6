import Foundation
import TrellisCore

/// The mentorship workspace part of the OpenAPI document: the pair's agreement.
extension OpenAPIDocument {
    static func workspaceSchemas() -> [String: Any] {
        let dateTime: [String: Any] = ["type": "string", "format": "date-time"]
        let string: [String: Any] = ["type": "string"]
        let nullableDateTime: [String: Any] = ["type": ["string", "null"], "format": "date-time"]
        let day: [String: Any] = ["type": "string", "format": "date", "description": "A day, YYYY-MM-DD."]
        func text(_ rule: ProfileRules.Text, _ description: String) -> [String: Any] {
            ["type": "string", "maxLength": rule.maximum, "description": description]
        }
        let termsProperties: [String: Any] = [
            "meeting_frequency": ["type": "string", "enum": MeetingFrequency.allCases.map(\.rawValue)],
            "communication_methods": ["type": "array", "items": ["type": "string", "enum": CommunicationMethod.allCases.map(\.rawValue)]],
            "confidentiality": text(AgreementRules.confidentiality, "What stays between the pair, and when it would not."),
            "mentee_goals": text(AgreementRules.menteeGoals, "The mentee's goals and objectives (required, not empty)."),
            "mentor_goals": text(AgreementRules.mentorGoals, "The mentor's own goals."),
            "boundaries": text(AgreementRules.boundaries, "What is out of bounds."),
            "review_on": day, "ends_on": day,
        ]
        return [
            "AgreementTerms": [
                "type": "object", "required": Array(termsProperties.keys).sorted(), "properties": termsProperties,
            ],
            "AgreementVersion": [
                "type": "object", "required": ["number", "terms", "written_by", "written_at", "mentor_signed_at", "mentee_signed_at", "signed_by_both"],
                "properties": [
                    "number": ["type": "integer", "minimum": 1], "terms": ref("AgreementTerms"),
                    "written_by": ["type": "string", "enum": PairSide.allCases.map(\.rawValue)], "written_at": dateTime,
                    "mentor_signed_at": nullableDateTime, "mentee_signed_at": nullableDateTime, "signed_by_both": ["type": "boolean"],
                ],
            ],
            "Agreement": [
                "type": "object", "required": ["status", "waiting_for", "my_side", "next_step", "latest", "versions", "draft"],
                "properties": [
                    "status": ["type": "string", "enum": ["unwritten", "awaiting-signatures", "signed", "review-due"],
                               "description": "review-due: both signed, and the review date has come (time to realign expectations)."],
                    "waiting_for": ["type": "array", "items": ["type": "string", "enum": PairSide.allCases.map(\.rawValue)], "description": "Whose signature the latest version waits for."],
                    "my_side": ["type": "string", "enum": PairSide.allCases.map(\.rawValue)],
                    "next_step": ["type": ["string", "null"], "description": "What you do next about the agreement, in a sentence."],
                    "latest": ["oneOf": [ref("AgreementVersion"), ["type": "null"]]],
                    "versions": ["type": "array", "items": ref("AgreementVersion"), "description": "Every version, oldest first."],
                    "draft": ["oneOf": [ref("AgreementTerms"), ["type": "null"]], "description": "Before the first version: the starting text Trellis proposes from the program and both profiles."],
                ],
            ],
            "Meeting": [
                "type": "object", "required": ["id", "state", "proposed_by", "starts_at", "ends_at", "time_zone", "place", "sequence", "held", "cancel_reason"],
                "properties": [
                    "id": uuid, "state": ["type": "string", "enum": MeetingState.allCases.map(\.rawValue)],
                    "proposed_by": ["type": "string", "enum": PairSide.allCases.map(\.rawValue), "description": "Who proposed the time now on the table: the other one accepts it."],
                    "starts_at": dateTime, "ends_at": dateTime,
                    "time_zone": ["type": "string", "description": "The IANA zone the proposer wrote the time in."],
                    "place": string, "sequence": ["type": "integer", "minimum": 0, "description": "Counts every change (iCalendar SEQUENCE)."],
                    "held": ["type": "boolean", "description": "Scheduled, and its end has passed."],
                    "cancel_reason": ["type": ["string", "null"]],
                ],
            ],
            "MeetingTimeInput": [
                "type": "object", "additionalProperties": false, "required": ["starts_at", "ends_at", "time_zone"],
                "properties": [
                    "starts_at": ["type": "string", "description": "Local date and time in time_zone, YYYY-MM-DDTHH:MM: after now, within two years."],
                    "ends_at": ["type": "string", "description": "Local date and time in time_zone: after the start, at most 24 hours later, at least 5 minutes."],
                    "time_zone": ["type": "string", "description": "An IANA time zone, such as Europe/Paris."],
                    "place": ["type": ["string", "null"], "maxLength": MeetingRules.place.maximum, "description": "A room, an address or a link; null or left out for none."],
                ],
            ],
            "CancelInput": [
                "type": "object", "additionalProperties": false, "required": ["reason"],
                "properties": ["reason": ["type": "string", "minLength": 1, "maxLength": MeetingRules.reason.maximum, "description": "Why: the other person reads it."]],
            ],
            "AgendaItem": [
                "type": "object", "required": ["id", "author", "kind", "text", "created_at"],
                "properties": ["id": uuid, "author": ["type": "string", "enum": PairSide.allCases.map(\.rawValue)], "kind": ["type": "string", "enum": AgendaKind.allCases.map(\.rawValue)], "text": string, "created_at": dateTime],
            ],
            "AgendaInput": [
                "type": "object", "additionalProperties": false, "required": ["text"],
                "properties": ["kind": ["type": ["string", "null"], "enum": AgendaKind.allCases.map(\.rawValue) + [NSNull()] as [Any], "description": "topic (default, also for null), question or update."], "text": ["type": "string", "minLength": 1, "maxLength": MeetingTexts.agendaItem.maximum]],
            ],
            "Note": [
                "type": "object", "required": ["id", "author", "private", "text", "created_at"],
                "properties": ["id": uuid, "author": ["type": "string", "enum": PairSide.allCases.map(\.rawValue)], "private": ["type": "boolean", "description": "Readable by its author alone; stored sealed."], "text": string, "created_at": dateTime],
            ],
            "NoteInput": [
                "type": "object", "additionalProperties": false, "required": ["text", "private"],
                "properties": ["text": ["type": "string", "minLength": 1, "maxLength": MeetingTexts.note.maximum], "private": ["type": "boolean", "description": "true: only you can ever read it; false: shared with the other person. Required: who may read a note is never guessed."]],
            ],
            "ActionItem": [
                "type": "object", "required": ["id", "text", "owner", "owner_id", "due_on", "done", "meeting_id", "created_at"],
                "properties": [
                    "id": uuid, "text": string, "owner": ["type": "string", "enum": PairSide.allCases.map(\.rawValue)], "owner_id": uuid,
                    "due_on": ["type": ["string", "null"], "format": "date"], "done": ["type": "boolean"],
                    "meeting_id": ["type": ["string", "null"], "format": "uuid"], "created_at": dateTime,
                ],
            ],
            "ActionItemInput": [
                "type": "object", "additionalProperties": false, "required": ["text", "owner_id"],
                "properties": [
                    "text": ["type": "string", "minLength": 1, "maxLength": MeetingTexts.actionItem.maximum],
                    "owner_id": ["type": "string", "format": "uuid", "description": "The mentor's or the mentee's id: anyone else is refused."],
                    "due_on": ["type": ["string", "null"], "description": "YYYY-MM-DD, today or later; empty, null or left out for none."],
                    "meeting_id": ["type": ["string", "null"], "format": "uuid", "description": "The meeting it comes from; null or left out for none."],
                ],
            ],
            "DoneInput": ["type": "object", "additionalProperties": false, "required": ["done"], "properties": ["done": ["type": "boolean"]]],
            "MeetingChange": [
                "type": "object", "required": ["kind", "by", "reason", "starts_at", "ends_at", "at"],
                "properties": [
                    "kind": ["type": "string", "enum": MeetingChange.allCases.map(\.rawValue)], "by": ["type": ["string", "null"], "enum": PairSide.allCases.map(\.rawValue) + [NSNull()] as [Any]],
                    "reason": string, "starts_at": dateTime, "ends_at": dateTime, "at": dateTime,
                ],
            ],
            "MeetingDetail": [
                "type": "object", "required": ["meeting", "agenda", "notes", "action_items", "carried_over", "history"],
                "properties": [
                    "meeting": ref("Meeting"), "agenda": ["type": "array", "items": ref("AgendaItem")],
                    "notes": ["type": "array", "items": ref("Note"), "description": "Shared notes, and your own private ones (never the other person's)."],
                    "action_items": ["type": "array", "items": ref("ActionItem")],
                    "carried_over": ["type": "array", "items": ref("ActionItem"), "description": "Open action items from before this meeting, on its agenda by themselves."],
                    "history": ["type": "array", "items": ref("MeetingChange"), "description": "Every change, newest first."],
                ],
            ],
            "Goal": [
                "type": "object", "required": ["id", "owner", "title", "description", "term", "target_on", "reached_at", "progress", "milestones"],
                "properties": [
                    "id": uuid, "owner": ["type": "string", "enum": PairSide.allCases.map(\.rawValue), "description": "mentee, or mentor for the mentor's own goal (reverse mentoring)."],
                    "title": string, "description": string, "term": ["type": "string", "enum": GoalTerm.allCases.map(\.rawValue)],
                    "target_on": ["type": ["string", "null"], "format": "date"], "reached_at": nullableDateTime,
                    "progress": ["type": "integer", "minimum": 0, "maximum": 100, "description": "The share of milestones reached; 100 once the goal is reached."],
                    "milestones": ["type": "array", "items": [
                        "type": "object", "required": ["id", "title", "reached_at"], "properties": ["id": uuid, "title": string, "reached_at": nullableDateTime],
                    ]],
                ],
            ],
            "GoalInput": [
                "type": "object", "additionalProperties": false, "required": ["title"],
                "properties": [
                    "title": ["type": "string", "minLength": 1, "maxLength": GoalRules.title.maximum],
                    "description": ["type": ["string", "null"], "maxLength": GoalRules.description.maximum],
                    "term": ["type": ["string", "null"], "enum": GoalTerm.allCases.map(\.rawValue) + [NSNull()] as [Any], "description": "short (default) or long."],
                    "target_on": ["type": ["string", "null"], "description": "YYYY-MM-DD, today or later; empty or null for none."],
                    "owner": ["type": ["string", "null"], "enum": PairSide.allCases.map(\.rawValue) + [NSNull()] as [Any], "description": "mentee (default) or mentor (reverse mentoring)."],
                ],
            ],
            "GoalChange": [
                "type": "object", "additionalProperties": false,
                "properties": [
                    "title": ["type": ["string", "null"], "minLength": 1, "maxLength": GoalRules.title.maximum, "description": "Null or left out: kept."],
                    "description": ["type": ["string", "null"], "maxLength": GoalRules.description.maximum],
                    "term": ["type": ["string", "null"], "enum": GoalTerm.allCases.map(\.rawValue) + [NSNull()] as [Any], "description": "Null or left out: kept."],
                    "target_on": ["type": ["string", "null"], "description": "YYYY-MM-DD: a new date today or later (the goal's own may stay); null or empty for none."],
                ],
                "description": "Fields left out (and a null title, description or term) keep their value. Whose goal it is does not change.",
            ],
            "MilestoneInput": ["type": "object", "additionalProperties": false, "required": ["title"], "properties": ["title": ["type": "string", "minLength": 1, "maxLength": GoalRules.milestone.maximum]]],
            "Congratulation": [
                "type": "object", "required": ["id", "author", "text", "milestone_id", "created_at"],
                "properties": ["id": uuid, "author": ["type": "string", "enum": PairSide.allCases.map(\.rawValue)], "text": string, "milestone_id": ["type": ["string", "null"], "format": "uuid"], "created_at": dateTime],
            ],
            "CongratulationInput": [
                "type": "object", "additionalProperties": false, "required": ["text"],
                "properties": ["text": ["type": "string", "minLength": 1, "maxLength": GoalRules.congratulation.maximum], "milestone_id": ["type": ["string", "null"], "format": "uuid", "description": "A reached milestone of the goal; null or left out for the goal."]],
            ],
            "Feedback": [
                "type": "object", "required": ["id", "kind", "author", "worked", "better", "message", "created_at"],
                "properties": [
                    "id": uuid, "kind": ["type": "string", "enum": FeedbackKind.allCases.map(\.rawValue)], "author": ["type": "string", "enum": PairSide.allCases.map(\.rawValue)],
                    "worked": string, "better": string, "message": string, "created_at": dateTime,
                ],
            ],
            "FeedbackInput": [
                "type": "object", "additionalProperties": false, "required": ["kind"],
                "properties": [
                    "kind": ["type": "string", "enum": FeedbackKind.allCases.map(\.rawValue)],
                    "worked": ["type": ["string", "null"], "maxLength": FeedbackRules.part.maximum, "description": "Feedback: what worked (this or better is required)."],
                    "better": ["type": ["string", "null"], "maxLength": FeedbackRules.part.maximum, "description": "Feedback: what could be better."],
                    "message": ["type": ["string", "null"], "maxLength": FeedbackRules.thanks.maximum, "description": "A thank-you note's text (required for thanks)."],
                ],
            ],
            "JournalEntry": [
                "type": "object", "required": ["id", "prompt", "text", "created_at"],
                "properties": ["id": uuid, "prompt": ["type": "string", "enum": Journal.prompts.map(\.key)], "text": string, "created_at": dateTime],
            ],
            "JournalInput": [
                "type": "object", "additionalProperties": false, "required": ["text"],
                "properties": [
                    "prompt": ["type": ["string", "null"], "enum": Journal.prompts.map(\.key) + [NSNull()] as [Any], "description": Journal.prompts.map { "\($0.key): \($0.text)" }.joined(separator: " ") + " Default: free."],
                    "text": ["type": "string", "minLength": 1, "maxLength": Journal.entry.maximum],
                ],
            ],
            "CalendarFeed": ["type": "object", "required": ["url"], "properties": ["url": ["type": "string", "description": "Your private feed address: shown once."]]],
            "AgreementInput": [
                "type": "object", "additionalProperties": false,
                "description": "A new version of the agreement. Fields left out (or sent as null) keep the latest version's value (before the first version, the starting draft's). An agreement keeps at most \(AgreementRules.mostVersions) versions.",
                "properties": termsProperties.merging([
                    "based_on": ["type": ["integer", "null"], "minimum": 1, "description": "The latest version you read; required once a version exists. A different number (someone wrote a version meanwhile) is refused with 409."],
                    "review_on": ["type": "string", "description": "A day, YYYY-MM-DD, after today and on or before the end date."],
                    "ends_on": ["type": "string", "description": "A day, YYYY-MM-DD, after today and within \(AgreementRules.longestYears) years of the mentorship's start."],
                ]) { _, new in new },
            ],
        ]
    }

    static func workspacePaths() -> [String: Any] {
        let errorResponse = { (description: String) -> [String: Any] in jsonBody(ref("Error"), description: description) }
        let unauthorized = errorResponse("No valid token.")
        let noPair = errorResponse("No such mentorship of yours (another pair's answers the same), or no such version.")
        let idParameter: [String: Any] = ["name": "id", "in": "path", "required": true, "schema": uuid]
        let numberParameter: [String: Any] = ["name": "number", "in": "path", "required": true, "schema": ["type": "integer", "minimum": 1, "maximum": 1_000_000]]
        let meetingParameter: [String: Any] = ["name": "meeting", "in": "path", "required": true, "schema": uuid]
        let itemParameter: [String: Any] = ["name": "item", "in": "path", "required": true, "schema": uuid]
        let goalParameter: [String: Any] = ["name": "goal", "in": "path", "required": true, "schema": uuid]
        let milestoneParameter: [String: Any] = ["name": "milestone", "in": "path", "required": true, "schema": uuid]
        func body(_ schema: String) -> [String: Any] { ["required": true, "content": ["application/json": ["schema": ref(schema)]]] }
        func writeErrors(_ invalid: String, conflict: String?) -> [String: Any] {
            var answers: [String: Any] = [
                "400": errorResponse("The body is not a JSON object of the right shape."), "401": unauthorized,
                "404": errorResponse("No such mentorship of yours, or no such meeting or action item in it."),
                "413": errorResponse("The body is larger than \(RequestLimits.formBytes / 1024) KB."),
                "415": errorResponse("The body is not sent as `application/json`."), "422": errorResponse(invalid),
            ]
            if let conflict { answers["409"] = errorResponse(conflict) }
            return answers
        }
        func merge(_ a: [String: Any], _ b: [String: Any]) -> [String: Any] { a.merging(b) { first, _ in first } }
        let closed = "The meeting was cancelled or is over, or the mentorship has concluded."
        return [
            "/api/v1/mentorships/{id}/meetings": [
                "get": [
                    "operationId": "listMeetings", "summary": "The pair's meetings, latest first (at most 200).", "parameters": [idParameter],
                    "responses": ["200": jsonBody(["type": "array", "items": ref("Meeting")], description: "The meetings."), "401": unauthorized, "404": noPair],
                ],
                "post": [
                    "operationId": "proposeMeeting", "summary": "Propose a meeting: the other person accepts it or proposes another time.", "parameters": [idParameter],
                    "requestBody": body("MeetingTimeInput"),
                    "responses": merge(["201": jsonBody(ref("Meeting"), description: "The proposed meeting.")],
                                       writeErrors("A time that ends before it starts, is in the past, lasts more than a day, or an unknown time zone: each under its field.", conflict: "The mentorship has concluded, 20 meetings are planned already, or the program's pairs meet outside Trellis (`meetings_in_trellis` false).")),
                ],
            ],
            "/api/v1/mentorships/{id}/meetings/{meeting}": ["get": [
                "operationId": "getMeeting", "summary": "A meeting with its agenda, the notes you may read, its action items, the open ones it carries over, and its history.",
                "parameters": [idParameter, meetingParameter],
                "responses": ["200": jsonBody(ref("MeetingDetail"), description: "The meeting."), "401": unauthorized, "404": errorResponse("No such mentorship of yours, or no such meeting in it.")],
            ]],
            "/api/v1/mentorships/{id}/meetings/{meeting}/accept": ["post": [
                "operationId": "acceptMeeting", "summary": "Accept the time the other person proposed.", "parameters": [idParameter, meetingParameter],
                "responses": ["200": jsonBody(ref("Meeting"), description: "The scheduled meeting."), "401": unauthorized, "404": errorResponse("No such mentorship of yours, or no such meeting in it."),
                              "409": errorResponse("You proposed this time, it is scheduled already, or the meeting was cancelled or is over.")],
            ]],
            "/api/v1/mentorships/{id}/meetings/{meeting}/time": ["post": [
                "operationId": "proposeAnotherTime", "summary": "Propose another time (answering a proposal, or moving a scheduled meeting): the other person accepts it again.",
                "parameters": [idParameter, meetingParameter], "requestBody": body("MeetingTimeInput"),
                "responses": merge(["200": jsonBody(ref("Meeting"), description: "The meeting, proposed at the new time.")], writeErrors("A bad time, each problem under its field.", conflict: closed + " Or the same time again, or the program's pairs meet outside Trellis (`meetings_in_trellis` false).")),
            ]],
            "/api/v1/mentorships/{id}/meetings/{meeting}/cancel": ["post": [
                "operationId": "cancelMeeting", "summary": "Cancel a meeting, with a reason the other person reads.", "parameters": [idParameter, meetingParameter], "requestBody": body("CancelInput"),
                "responses": merge(["200": jsonBody(ref("Meeting"), description: "The cancelled meeting.")], writeErrors("No reason, or too long a reason.", conflict: closed)),
            ]],
            "/api/v1/mentorships/{id}/meetings/{meeting}/agenda": ["post": [
                "operationId": "addAgendaItem", "summary": "Add a topic, question or update to a meeting's agenda (before it ends).", "parameters": [idParameter, meetingParameter], "requestBody": body("AgendaInput"),
                "responses": merge(["201": jsonBody(ref("AgendaItem"), description: "The agenda item.")], writeErrors("Empty or too long a text, an unknown kind, or a full agenda.", conflict: closed)),
            ]],
            "/api/v1/mentorships/{id}/meetings/{meeting}/notes": ["post": [
                "operationId": "addNote", "summary": "Add a note: shared with the other person, or private (yours alone, stored sealed).", "parameters": [idParameter, meetingParameter], "requestBody": body("NoteInput"),
                "responses": merge(["201": jsonBody(ref("Note"), description: "The note.")], writeErrors("Empty or too long a text, or too many notes.", conflict: "The meeting was cancelled, or the mentorship has concluded.")),
            ]],
            "/api/v1/mentorships/{id}/action-items": [
                "get": [
                    "operationId": "listActionItems", "summary": "The pair's action items, oldest first (at most 500).", "parameters": [idParameter],
                    "responses": ["200": jsonBody(["type": "array", "items": ref("ActionItem")], description: "The action items."), "401": unauthorized, "404": noPair],
                ],
                "post": [
                    "operationId": "addActionItem", "summary": "Add an action item owned by one of the pair.", "parameters": [idParameter], "requestBody": body("ActionItemInput"),
                    "responses": merge(["201": jsonBody(ref("ActionItem"), description: "The action item.")],
                                       writeErrors("Empty or too long a text, an owner outside the pair, or a due date before today: each under its field.", conflict: "The mentorship has concluded.")),
                ],
            ],
            "/api/v1/mentorships/{id}/action-items/{item}/done": ["post": [
                "operationId": "markActionItem", "summary": "Mark an action item done (true) or not done (false).", "parameters": [idParameter, itemParameter], "requestBody": body("DoneInput"),
                "responses": merge(["200": jsonBody(ref("ActionItem"), description: "The action item.")], writeErrors("done is missing.", conflict: "The mentorship has concluded.")),
            ]],
            "/api/v1/mentorships/{id}/goals": [
                "get": [
                    "operationId": "listGoals", "summary": "The pair's goals with their milestones and progress, oldest first.", "parameters": [idParameter],
                    "responses": ["200": jsonBody(["type": "array", "items": ref("Goal")], description: "The goals."), "401": unauthorized, "404": noPair],
                ],
                "post": [
                    "operationId": "setGoal", "summary": "Set a goal (the mentee's, or the mentor's own). A target date before today is refused.", "parameters": [idParameter], "requestBody": body("GoalInput"),
                    "responses": merge(["201": jsonBody(ref("Goal"), description: "The goal.")], writeErrors("A missing title, a target date before today, or a bad term or owner: each under its field.", conflict: "The mentorship has concluded.")),
                ],
            ],
            "/api/v1/mentorships/{id}/goals/{goal}": [
                "get": [
                    "operationId": "getGoal", "summary": "One of the pair's goals with its milestones and progress.", "parameters": [idParameter, goalParameter],
                    "responses": ["200": jsonBody(ref("Goal"), description: "The goal."), "401": unauthorized, "404": errorResponse("No such goal of this pair.")],
                ],
                "patch": [
                    "operationId": "changeGoal", "summary": "Change a goal's title, description, term or target date.", "parameters": [idParameter, goalParameter], "requestBody": body("GoalChange"),
                    "responses": merge(["200": jsonBody(ref("Goal"), description: "The goal.")], writeErrors("An empty title, a new target date before today, or a bad term: each under its field.", conflict: "The mentorship has concluded.")).merging(["404": errorResponse("No such goal of this pair.")]) { _, new in new },
                ],
                "delete": [
                    "operationId": "removeGoal", "summary": "Remove a goal with its milestones and congratulations (the timeline keeps what happened).", "parameters": [idParameter, goalParameter],
                    "responses": ["200": jsonBody(["type": "array", "items": ref("Goal")], description: "Removed: the pair's goals as they are now."), "401": unauthorized, "404": errorResponse("No such goal of this pair."), "409": errorResponse("The mentorship has concluded.")],
                ],
            ],
            "/api/v1/mentorships/{id}/goals/{goal}/milestones": ["post": [
                "operationId": "addMilestone", "summary": "Add a milestone to one of the pair's goals.", "parameters": [idParameter, goalParameter], "requestBody": body("MilestoneInput"),
                "responses": merge(["201": jsonBody(ref("Goal"), description: "The goal with its new milestone.")], writeErrors("A missing or too long title, or 20 milestones already.", conflict: "The mentorship has concluded.")),
            ]],
            "/api/v1/mentorships/{id}/goals/{goal}/milestones/{milestone}/reached": ["post": [
                "operationId": "reachMilestone", "summary": "Mark a milestone reached: on the timeline, and the other person is told.", "parameters": [idParameter, goalParameter, milestoneParameter],
                "responses": ["200": jsonBody(ref("Goal"), description: "The goal."), "401": unauthorized, "404": errorResponse("No such goal or milestone of this pair."), "409": errorResponse("Reached already, or the mentorship has concluded.")],
            ]],
            "/api/v1/mentorships/{id}/goals/{goal}/reached": ["post": [
                "operationId": "reachGoal", "summary": "Mark a goal reached: on the timeline, and the other person is told.", "parameters": [idParameter, goalParameter],
                "responses": ["200": jsonBody(ref("Goal"), description: "The goal."), "401": unauthorized, "404": errorResponse("No such goal of this pair."), "409": errorResponse("Reached already, or the mentorship has concluded.")],
            ]],
            "/api/v1/mentorships/{id}/goals/{goal}/congratulations": ["get": [
                "operationId": "listCongratulations", "summary": "The congratulations on a goal and its milestones, oldest first.", "parameters": [idParameter, goalParameter],
                "responses": ["200": jsonBody(["type": "array", "items": ref("Congratulation")], description: "The congratulations."), "401": unauthorized, "404": errorResponse("No such goal of this pair.")],
            ], "post": [
                "operationId": "congratulate", "summary": "Congratulate on a reached milestone or goal.", "parameters": [idParameter, goalParameter], "requestBody": body("CongratulationInput"),
                "responses": merge(["201": jsonBody(ref("Congratulation"), description: "The congratulation.")], writeErrors("An empty or too long text.", conflict: "Nothing of the goal (or not that milestone) is reached yet, it is your own goal, you congratulated on it already, or the mentorship has concluded.")),
            ]],
            "/api/v1/mentorships/{id}/feedback": [
                "get": [
                    "operationId": "listFeedback", "summary": "Feedback and thank-you notes between the pair, newest first.", "parameters": [idParameter],
                    "responses": ["200": jsonBody(["type": "array", "items": ref("Feedback")], description: "The notes."), "401": unauthorized, "404": noPair],
                ],
                "post": [
                    "operationId": "sendFeedback", "summary": "Send the other person feedback (what worked, what could be better) or a thank-you note.", "parameters": [idParameter], "requestBody": body("FeedbackInput"),
                    "responses": merge(["201": jsonBody(ref("Feedback"), description: "The note.")], writeErrors("Feedback with neither part, thanks without a message, an unknown kind, or too long a text.", conflict: "The mentorship has concluded.")),
                ],
            ],
            "/api/v1/mentorships/{id}/journal": [
                "get": [
                    "operationId": "listJournal", "summary": "Your own journal entries for this mentorship, newest first (nobody else's, ever).", "parameters": [idParameter],
                    "responses": ["200": jsonBody(["type": "array", "items": ref("JournalEntry")], description: "Your entries."), "401": unauthorized, "404": noPair],
                ],
                "post": [
                    "operationId": "writeJournal", "summary": "Write a private journal entry, readable by you alone (stored sealed).", "parameters": [idParameter], "requestBody": body("JournalInput"),
                    "responses": merge(["201": jsonBody(ref("JournalEntry"), description: "The entry.")], writeErrors("An empty or too long text, or an unknown prompt.", conflict: nil)),
                ],
            ],
            "/api/v1/me/calendar-feed": ["post": [
                "operationId": "makeCalendarFeed", "summary": "Make your private calendar feed address, replacing the old one (which stops working). Shown once.",
                "responses": ["201": jsonBody(ref("CalendarFeed"), description: "The feed address."), "401": unauthorized],
            ]],
            "/api/v1/me/calendar-feed/revoke": ["post": [
                "operationId": "revokeCalendarFeed", "summary": "Turn your calendar feed off: its address stops working.",
                "responses": ["200": jsonBody(["type": "object", "required": ["active"], "properties": ["active": ["type": "boolean", "const": false]]], description: "The feed is off."), "401": unauthorized],
            ]],
            "/api/v1/mentorships/{id}/agreement": ["get": [
                "operationId": "getAgreement", "summary": "The pair's agreement: where it stands, every version with its signatures, and before the first version a starting draft.",
                "parameters": [idParameter],
                "responses": ["200": jsonBody(ref("Agreement"), description: "The agreement."), "401": unauthorized, "404": noPair],
            ]],
            "/api/v1/mentorships/{id}/agreement/versions": ["post": [
                "operationId": "proposeAgreementVersion",
                "summary": "Write a new version of the agreement. Any change, signed or not, is a new version that both sign; earlier versions stay readable.",
                "parameters": [idParameter],
                "requestBody": ["required": true, "content": ["application/json": ["schema": ref("AgreementInput")]]],
                "responses": [
                    "201": jsonBody(ref("AgreementVersion"), description: "The new version."),
                    "200": jsonBody(ref("AgreementVersion"), description: "Nothing changed: the latest version already says this."),
                    "400": errorResponse("The body is not a JSON object of the right shape."), "401": unauthorized, "404": noPair,
                    "409": errorResponse("A version was written after the one you read (based_on), or the mentorship has concluded."),
                    "413": errorResponse("The body is larger than \(RequestLimits.formBytes / 1024) KB."),
                    "415": errorResponse("The body is not sent as `application/json`."),
                    "422": errorResponse("A field is not valid: each problem under its field."),
                ],
            ]],
            "/api/v1/mentorships/{id}/agreement/versions/{number}": ["get": [
                "operationId": "getAgreementVersion", "summary": "One version of the agreement, the latest or an earlier one.",
                "parameters": [idParameter, numberParameter],
                "responses": ["200": jsonBody(ref("AgreementVersion"), description: "The version."), "401": unauthorized, "404": noPair],
            ]],
            "/api/v1/mentorships/{id}/agreement/versions/{number}/sign": ["post": [
                "operationId": "signAgreementVersion", "summary": "Sign a version as yourself. Only the latest version can be signed, once by each of the pair.",
                "parameters": [idParameter, numberParameter],
                "responses": [
                    "200": jsonBody(ref("AgreementVersion"), description: "The version, with your signature."), "401": unauthorized, "404": noPair,
                    "409": errorResponse("Not the latest version, signed by you already, or the mentorship has concluded."),
                ],
            ]],
        ]
    }
}
