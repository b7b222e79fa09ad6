import Foundation
import TrellisCore

/// The mentorship workspace part of the OpenAPI document: the pair's agreement.
extension OpenAPIDocument {
    static func workspaceSchemas() -> [String: Any] {
        let dateTime: [String: Any] = ["type": "string", "format": "date-time"]
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
        return [
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
