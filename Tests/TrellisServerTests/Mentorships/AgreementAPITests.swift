import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// The agreement through `/api/v1/mentorships/{id}/agreement`.
    @Suite struct AgreementAPI {
        @Test func `a pair writes and signs their agreement through the API, with clear refusals`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                let alice = try await ServerTests.API.token(for: TestPeople.alice, app: app)
                let bob = try await ServerTests.API.token(for: TestPeople.bob, app: app)
                let base = "/api/v1/mentorships/\(f.mentorship)/agreement"
                let call = { (method: HTTPMethod, path: String, token: String, body: Any?) in try await ServerTests.ProgramsAPI.call(app, method, path, token, body) }

                // Nothing written: the status says so, with a starting draft.
                let empty = try await call(.GET, base, alice, nil)
                #expect(empty.status == .ok)
                let emptyObject = try #require(empty.json as? [String: Any])
                #expect(emptyObject["status"] as? String == "unwritten")
                #expect(emptyObject["latest"] is NSNull)
                #expect((emptyObject["draft"] as? [String: Any])?["meeting_frequency"] as? String == "weekly")
                #expect(emptyObject["my_side"] as? String == "mentee")

                // The first version: fields left out come from the draft.
                let first = try await call(.POST, "\(base)/versions", alice, ["mentee_goals": "Ship the migration.", "review_on": WorkspaceFixture.day(30), "ends_on": WorkspaceFixture.day(120)])
                #expect(first.status == .created, "\(first.text)")
                let firstObject = try #require(first.json as? [String: Any])
                #expect(firstObject["number"] as? Int == 1)
                #expect((firstObject["terms"] as? [String: Any])?["communication_methods"] as? [String] == ["video", "chat"])
                #expect(firstObject["mentor_signed_at"] is NSNull)

                // Once a version exists, based_on is required, and must be the latest.
                let missing = try await call(.POST, "\(base)/versions", bob, ["boundaries": "No weekends."])
                #expect(missing.status == .unprocessableEntity)
                #expect(missing.text.contains("based_on is required"))
                let bad = try await call(.POST, "\(base)/versions", bob, ["based_on": 1, "review_on": "tomorrow", "communication_methods": ["fax"], "colour": "red"])
                #expect(bad.status == .unprocessableEntity)
                #expect(bad.text.contains("colour"), "an unknown field is named first: \(bad.text)")
                let invalid = try await call(.POST, "\(base)/versions", bob, ["based_on": 1, "review_on": "tomorrow", "communication_methods": ["fax"]])
                let errors = try #require((invalid.json as? [String: Any])?["fields"] as? [String: String])
                #expect(errors["review_on"]?.contains("got “tomorrow”") == true)
                #expect(errors["communication_methods"]?.contains("got “fax”") == true)
                #expect(try await call(.POST, "\(base)/versions", bob, ["based_on": -4]).status == .unprocessableEntity)
                #expect(try await call(.POST, "\(base)/versions", bob, ["based_on": 1e300]).status == .unprocessableEntity)
                #expect(try await Agreements.versions(of: f.mentorship, on: app.db).count == 1, "nothing saved")

                // Bob proposes version 2; Alice's write based on version 1 then conflicts.
                let second = try await call(.POST, "\(base)/versions", bob, ["based_on": 1, "boundaries": "No weekends."])
                #expect(second.status == .created)
                #expect((second.json as? [String: Any])?["written_by"] as? String == "mentor")
                let stale = try await call(.POST, "\(base)/versions", alice, ["based_on": 1, "boundaries": "Weekends are fine."])
                #expect(stale.status == .conflict)
                #expect(stale.text.contains("Version 2 of the agreement was written after the one you edited (version 1)."))
                // The same terms again: 200 with the latest, no new version.
                let same = try await call(.POST, "\(base)/versions", alice, ["based_on": 2, "boundaries": "No weekends."])
                #expect(same.status == .ok)
                #expect((same.json as? [String: Any])?["number"] as? Int == 2)

                // Signing: only the latest, once each.
                #expect(try await call(.POST, "\(base)/versions/1/sign", alice, nil).status == .conflict)
                #expect(try await call(.POST, "\(base)/versions/3/sign", alice, nil).status == .notFound)
                #expect(try await call(.POST, "\(base)/versions/abc/sign", alice, nil).status == .notFound)
                let signed = try await call(.POST, "\(base)/versions/2/sign", alice, nil)
                #expect(signed.status == .ok)
                #expect((signed.json as? [String: Any])?["signed_by_both"] as? Bool == false)
                #expect(try await call(.POST, "\(base)/versions/2/sign", alice, nil).status == .conflict)
                let both = try await call(.POST, "\(base)/versions/2/sign", bob, nil)
                #expect((both.json as? [String: Any])?["signed_by_both"] as? Bool == true)
                let now = try #require(try await call(.GET, base, bob, nil).json as? [String: Any])
                #expect(now["status"] as? String == "signed")
                #expect((now["versions"] as? [Any])?.count == 2)
                #expect(now["draft"] is NSNull)
                let one = try await call(.GET, "\(base)/versions/1", bob, nil)
                #expect((one.json as? [String: Any])?["mentee_signed_at"] is NSNull, "version 1 was never signed")
                #expect(try await call(.GET, "\(base)/versions/0", bob, nil).status == .notFound)
            }
        }
    }
}
