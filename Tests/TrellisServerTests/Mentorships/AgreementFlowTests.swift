import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// A pair's agreement end to end: drafted from the profiles, written, signed by both,
    /// changed and signed again, with every earlier version readable; bad input, stale writes
    /// and concurrent writers change nothing they should not.
    @Suite struct AgreementFlow {
        @Test func `the pair write, sign, change and sign again, and every version stays readable`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                var bob = try await f.browser(app, TestPeople.bob)

                // Nothing written: the mentee is asked to start; the draft comes from her profile and the program.
                let page = try await alice.get(f.path).text
                #expect(page.contains("Start your agreement"))
                let draft = try await alice.get("\(f.path)/agreement/edit").text
                #expect(draft.contains("Lead a platform team within two years."), "the mentee's career goals")
                #expect(draft.contains("Grow in Public speaking."), "her development areas")
                #expect(draft.contains("Grow the next engineering leads."), "the program's purpose")
                #expect(draft.contains("<option value=\"weekly\" selected>"), "her meeting frequency (Bob has none)")

                let written = try await alice.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: nil))
                #expect(written.status == .seeOther, "\(written.text.prefix(600))")
                var versions = try await Agreements.versions(of: f.mentorship, on: app.db)
                #expect(versions.map(\.number) == [1])
                #expect(versions[0].terms.menteeGoals == "Lead a platform team.\nSpeak at the all-hands.")
                #expect(versions[0].writtenBy == .mentee)
                // Bob is told, and asked to sign.
                let notice = try #require(try await InAppNotification.query(on: app.db).filter(\.$userID == f.bob).first())
                #expect(notice.title == "Alice Ahmed wrote your agreement")
                #expect(notice.link == "\(f.path)/agreement")
                #expect(try await bob.get(f.path).text.contains("The agreement is waiting for your signature."))

                // Signing: Bob, then Alice; then it is in force.
                #expect(try await bob.post("\(f.path)/agreement/sign", [("version", "1")]).location == "\(f.path)/agreement?done=signed")
                #expect(try await bob.post("\(f.path)/agreement/sign", [("version", "1")]).status == .conflict, "once each")
                #expect(try await alice.get(f.path).text.contains("The agreement is waiting for your signature."))
                #expect(try await alice.post("\(f.path)/agreement/sign", [("version", "1")]).location == "\(f.path)/agreement?done=in-force")
                versions = try await Agreements.versions(of: f.mentorship, on: app.db)
                #expect(versions[0].isSigned)
                #expect(AgreementRules.status(of: versions, today: WorkspaceFixture.today) == .signed)

                // Alice changes it: version 2, which both sign again; version 1 keeps its signatures.
                let changed = try await alice.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: 1, goals: "Lead a platform team.\nWrite a design doc each month.", frequency: "weekly"))
                #expect(changed.status == .seeOther)
                versions = try await Agreements.versions(of: f.mentorship, on: app.db)
                #expect(versions.map(\.number) == [1, 2])
                #expect(versions[0].isSigned && !versions[1].hasSignature)
                #expect(AgreementRules.status(of: versions, today: WorkspaceFixture.today) == .awaiting([.mentor, .mentee]))
                // Signing version 1 now is refused, naming the latest.
                let stale = try await bob.post("\(f.path)/agreement/sign", [("version", "1")])
                #expect(stale.status == .conflict)
                #expect(stale.text.contains("Version 1 is not the latest: version 2 replaced it."))
                // What changed, line by line.
                let diff = try await bob.get("\(f.path)/agreement/changes?from=1&to=2").text
                #expect(diff.contains("<del><span class=\"visually-hidden\">Removed: </span>Speak at the all-hands.</del>"))
                #expect(diff.contains("<ins><span class=\"visually-hidden\">Added: </span>Write a design doc each month.</ins>"))
                #expect(diff.contains("Meeting frequency"))
                #expect(!diff.contains("<h2>Boundaries</h2>"), "unchanged fields are not listed")
                let old = try await bob.get("\(f.path)/agreement/versions/1")
                #expect(old.status == .ok)
                #expect(old.text.contains("Speak at the all-hands.") && old.text.contains("Version 2 replaced it."))
                #expect(try await bob.get("\(f.path)/agreement/versions/3").status == .notFound)
                #expect(try await bob.get("\(f.path)/agreement/versions/99999999999999999999").status == .notFound)

                // Saving the same text again changes nothing.
                let same = try await bob.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: 2, goals: "Lead a platform team.\nWrite a design doc each month.", frequency: "weekly"))
                #expect(same.location == "\(f.path)/agreement?done=unchanged")
                #expect(try await Agreements.versions(of: f.mentorship, on: app.db).count == 2)

                // Both sign version 2; the timeline tells the story, newest first.
                _ = try await bob.post("\(f.path)/agreement/sign", [("version", "2")])
                _ = try await alice.post("\(f.path)/agreement/sign", [("version", "2")])
                let workspace = try await alice.get(f.path).text
                for sentence in ["You wrote the first agreement.", "Bob Brown signed version 1 of the agreement.", "Both signed: version 1 of the agreement is in force.",
                                 "You proposed version 2 of the agreement.", "Both signed: version 2 of the agreement is in force."] {
                    #expect(workspace.contains(sentence), "timeline: \(sentence)")
                }
                #expect(try await Agreements.versions(of: f.mentorship, on: app.db).allSatisfy(\.isSigned))
            }
        }

        @Test func `bad input is named beside its field and changes nothing`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                let cases: [(form: [(String, String)], field: String, message: String)] = [
                    (WorkspaceFixture.form(basedOn: nil, review: 10, ends: 5), "review_on", "The review date must be on or before the end date"),
                    (WorkspaceFixture.form(basedOn: nil, ends: -3), "ends_on", "The end date must be after today"),
                    (WorkspaceFixture.form(basedOn: nil, review: 0), "review_on", "The review date must be after today"),
                    (WorkspaceFixture.form(basedOn: nil, ends: 4_000), "ends_on", "within 3 years"),
                    (WorkspaceFixture.form(basedOn: nil, methods: []), "communication_methods", "Choose at least one way to keep in touch."),
                    (WorkspaceFixture.form(basedOn: nil, methods: ["pigeon"]), "communication_methods", "got “pigeon”"),
                    (WorkspaceFixture.form(basedOn: nil, frequency: "hourly"), "meeting_frequency", "got “hourly”"),
                    (WorkspaceFixture.form(basedOn: nil, goals: " \u{7}\u{0} "), "mentee_goals", "Write the mentee's goals"),
                    (WorkspaceFixture.form(basedOn: nil, goals: String(repeating: "g", count: 4_001)), "mentee_goals", "4000"),
                    (WorkspaceFixture.form(basedOn: nil).map { $0.0 == "ends_on" ? ("ends_on", "2027-02-30") : $0 }, "ends_on", "write a real day from 2000-01-01 to 2999-12-31 as YYYY-MM-DD (got “2027-02-30”)"),
                    (WorkspaceFixture.form(basedOn: nil).map { $0.0 == "review_on" ? ("review_on", "") : $0 }, "review_on", "Review date is required."),
                ]
                for (form, field, message) in cases {
                    let answer = try await alice.post("\(f.path)/agreement", form)
                    #expect(answer.status == .unprocessableEntity, "\(field): \(answer.status)")
                    let page = answer.text
                    #expect(page.contains("id=\"\(field)-error\""), "the message is beside \(field)")
                    let shown = page.split(separator: "field-error").dropFirst().map { String($0.prefix(200)) }
                    #expect(page.contains(HTML.escape(message)) || page.contains(message), "\(field): “\(message)” not in \(shown)")
                }
                // The form keeps what was typed.
                let kept = try await alice.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: nil, goals: "Keep this <b>text</b>", ends: -3)).text
                #expect(kept.contains("Keep this &lt;b&gt;text&lt;/b&gt;"))
                #expect(try await Agreements.versions(of: f.mentorship, on: app.db).isEmpty)
                #expect(try await MentorshipEvent.query(on: app.db).count() == 0)
                #expect(try await InAppNotification.query(on: app.db).count() == 0)
                // Signing nothing, or not a number.
                #expect(try await alice.post("\(f.path)/agreement/sign", [("version", "1")]).status == .conflict)
                #expect(try await alice.post("\(f.path)/agreement/sign", [("version", "-1")]).status == .unprocessableEntity)
                #expect(try await alice.post("\(f.path)/agreement/sign", [("version", "99999999999999999999999")]).status == .unprocessableEntity)
                #expect(try await alice.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: nil) + [("based_on", "x")]).status == .unprocessableEntity)
            }
        }

        @Test func `a version written meanwhile is not overwritten, and a concluded mentorship's agreement only reads`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                var bob = try await f.browser(app, TestPeople.bob)
                _ = try await alice.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: nil))
                // Both open version 1 to edit; Bob saves first; Alice's save is refused, not applied over his.
                #expect(try await bob.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: 1, goals: "Bob's words")).status == .seeOther)
                let late = try await alice.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: 1, goals: "Alice's words"))
                #expect(late.status == .conflict)
                #expect(late.text.contains("Version 2 of the agreement was written after the one you edited (version 1)."))
                // Her words come back, unsaved, on a form now based on version 2, with version 2 linked.
                #expect(late.text.contains("Alice&#39;s words"))
                #expect(late.text.contains("name=\"based_on\" value=\"2\""))
                #expect(late.text.contains("href=\"\(f.path)/agreement/versions/2\""))
                #expect(late.text.contains("save it to make version 3 from it"))
                let ahead = try await alice.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: 9, goals: "Alice's words"))
                #expect(ahead.text.contains("There is no version 9 of this agreement: the latest is version 2."))
                let unsaid = try await alice.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: nil, goals: "Alice's words"))
                #expect(unsaid.text.contains("Version 2 of the agreement was written after you opened the form."))
                let versions = try await Agreements.versions(of: f.mentorship, on: app.db)
                #expect(versions.map(\.terms.menteeGoals) == ["Lead a platform team.\nSpeak at the all-hands.", "Bob's words"])

                try await Mentorship.query(on: app.db).filter(\.$id == f.mentorship).set(\.$state, to: MentorshipState.concluded.rawValue).update()
                let closed = try await alice.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: 2, goals: "After the end"))
                #expect(closed.status == .conflict)
                #expect(closed.text.contains("This mentorship has concluded"))
                #expect(try await bob.post("\(f.path)/agreement/sign", [("version", "2")]).status == .conflict)
                #expect(try await alice.get("\(f.path)/agreement").status == .ok, "still readable")
                #expect(try await alice.get("\(f.path)/agreement/edit").status == .seeOther)
            }
        }

        @Test func `many writers and signers at once: versions are numbered once each, and a signature lands once`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                let alice = try await Pairs.view(f.mentorship, for: f.alice, on: app.db)
                let bob = try await Pairs.view(f.mentorship, for: f.bob, on: app.db)
                let start = try await Agreements.starting(alice, on: app.db)
                _ = try await Agreements.write(start, basedOn: nil, pair: alice, on: app.db)
                // Twenty writers all based on version 1: exactly one makes version 2.
                let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<20 {
                        group.addTask {
                            var terms = start
                            terms.menteeGoals = "Goal \(index)"
                            do {
                                _ = try await Agreements.write(terms, basedOn: 1, pair: index % 2 == 0 ? alice : bob, on: app.db)
                                return true
                            } catch is Agreements.Stale { return false }
                        }
                    }
                    return try await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 }.count == 1)
                var versions = try await Agreements.versions(of: f.mentorship, on: app.db)
                #expect(versions.map(\.number) == [1, 2])
                // Ten signatures of Bob's on version 2 at once, and Alice's beside them: one each.
                let signed = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for index in 0..<11 {
                        group.addTask {
                            do {
                                _ = try await Agreements.sign(2, pair: index == 10 ? alice : bob, on: app.db)
                                return true
                            } catch is ProgramStore.Refusal { return false }
                        }
                    }
                    return try await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(signed.filter { $0 }.count == 2)
                versions = try await Agreements.versions(of: f.mentorship, on: app.db)
                #expect(versions[1].isSigned)
                #expect(try await MentorshipEvent.query(on: app.db).filter(\.$kind == TimelineKind.agreementSigned.rawValue).count() == 2)
                #expect(try await MentorshipEvent.query(on: app.db).filter(\.$kind == TimelineKind.agreementInForce.rawValue).count() == 1)
            }
        }
    
        @Test func `notices do not pile up, and an agreement keeps at most a hundred versions`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                let alice = try await Pairs.view(f.mentorship, for: f.alice, on: app.db)
                var terms = try await Agreements.starting(alice, on: app.db)
                for number in 1...AgreementRules.mostVersions {
                    terms.boundaries = "Version \(number)"
                    #expect(try await Agreements.write(terms, basedOn: number == 1 ? nil : number - 1, pair: alice, on: app.db) == .version(number))
                }
                // Bob has one unread notice about the agreement (the latest), not a hundred.
                let unread = try await InAppNotification.query(on: app.db).filter(\.$userID == f.bob).filter(\.$readAt == nil).all()
                #expect(unread.map(\.title) == ["Alice Ahmed proposed version 100 of your agreement"])
                terms.boundaries = "One more"
                await #expect(throws: ProgramStore.Refusal.self) {
                    _ = try await Agreements.write(terms, basedOn: AgreementRules.mostVersions, pair: alice, on: app.db)
                }
                #expect(try await Agreements.versions(of: f.mentorship, on: app.db).count == AgreementRules.mostVersions)
                // Signing still works on the latest.
                #expect(try await Agreements.sign(AgreementRules.mostVersions, pair: alice, on: app.db) == false)
            }
        }
    }
}
