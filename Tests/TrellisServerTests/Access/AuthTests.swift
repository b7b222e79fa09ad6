import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    @Suite struct Setup {
        @Test func `an empty database sends everyone to the one-time setup page`() async throws {
            try await withTrellis { app in
                var browser = Browser(app)
                let home = try await browser.get("/")
                #expect(home.status == .seeOther)
                #expect(home.location == "/setup")
                let page = try await browser.get("/setup")
                #expect(page.status == .ok)
                #expect(page.text.contains("Create the first program manager"))
            }
        }

        @Test func `setup with bad input names each field, keeps what was typed and creates nothing`() async throws {
            try await withTrellis { app in
                var browser = Browser(app)
                let response = try await browser.post("/setup", [("name", "Grace Hopper"), ("email", "grace@"), ("password", "short"), ("password_confirmation", "short")])
                #expect(response.status == .unprocessableEntity)
                #expect(response.text.contains("is not an email address; expected something like name@example.org"))
                #expect(response.text.contains("at least 10 characters"))
                #expect(response.text.contains("value=\"Grace Hopper\""))
                #expect(try await User.query(on: app.db).count() == 0)
            }
        }

        @Test func `setup creates a signed-in program manager, once only`() async throws {
            try await withTrellis { app in
                var browser = Browser(app)
                let response = try await browser.post("/setup", [("name", "Grace Hopper"), ("email", "Grace@Example.org"), ("password", "a long enough password"), ("password_confirmation", "a long enough password")])
                #expect(response.status == .seeOther)
                #expect(browser.cookies[SessionMiddleware.cookieName] != nil)
                let user = try #require(try await User.query(on: app.db).first())
                #expect(user.email == "grace@example.org")
                #expect(user.isAdmin)
                #expect(user.passwordHash?.hasPrefix("$2") == true, "stored as a Bcrypt hash")
                #expect(try await browser.get("/").text.contains("Welcome, Grace"))

                var stranger = Browser(app)
                #expect(try await stranger.get("/setup").location == "/sign-in")
                let again = try await stranger.post("/setup", [("name", "Mallory"), ("email", "m@example.org"), ("password", "another long password"), ("password_confirmation", "another long password")])
                #expect(again.status == .forbidden)
                #expect(try await User.query(on: app.db).count() == 1)
            }
        }
    }

    @Suite struct SignIn {
        @Test func `a wrong password is refused with a clear message; the right one signs in; signing out ends the session`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var browser = Browser(app)
                let wrong = try await browser.post("/sign-in", [("email", TestPeople.alice), ("password", "not the password")])
                #expect(wrong.status == .unauthorized)
                #expect(wrong.text.contains("do not match an account"))
                #expect(browser.cookies[SessionMiddleware.cookieName] == nil)

                let right = try await browser.post("/sign-in", [("email", "ALICE@example.org"), ("password", TestPeople.password), ("next", "/people")])
                #expect(right.status == .seeOther)
                #expect(right.location == "/people")
                let cookie = right.headers[.setCookie].first { $0.hasPrefix(SessionMiddleware.cookieName) } ?? ""
                #expect(cookie.contains("HttpOnly"))
                #expect(cookie.contains("SameSite=Lax"))
                #expect(!cookie.contains("Secure"), "plain http base URL")
                #expect(try await UserSession.query(on: app.db).count() == 1)
                let token = browser.cookies[SessionMiddleware.cookieName]!
                #expect(try await UserSession.query(on: app.db).first()?.tokenHash != token, "only a digest is stored")

                #expect(try await browser.get("/settings").status == .ok)
                let out = try await browser.post("/sign-out")
                #expect(out.status == .seeOther)
                #expect(try await UserSession.query(on: app.db).count() == 0)
                var replay = Browser(app)
                replay.cookies[SessionMiddleware.cookieName] = token
                #expect(try await replay.get("/settings").location?.hasPrefix("/sign-in") == true)
            }
        }

        @Test func `sign-in only follows a next address on this site`() async throws {
            #expect(AuthController.safeNext("/people?q=a") == "/people?q=a")
            #expect(AuthController.safeNext("//evil.example") == "/")
            #expect(AuthController.safeNext("https://evil.example") == "/")
            #expect(AuthController.safeNext("/\\evil.example") == "/")
        }

        @Test func `X-Forwarded-For counts only from a trusted proxy, read from the right`() {
            let proxies: Set<String> = ["10.0.0.2", "10.0.0.3"]
            #expect(ClientAddress.resolve(peer: "203.0.113.9", forwardedFor: ["198.51.100.1"], trusted: proxies) == "203.0.113.9")
            #expect(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: ["198.51.100.1"], trusted: proxies) == "198.51.100.1")
            // A client's own (forged) entries sit to the left of what the proxies appended.
            #expect(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: ["1.2.3.4, 198.51.100.1, 10.0.0.3"], trusted: proxies) == "198.51.100.1")
            #expect(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: ["1.2.3.4", "198.51.100.1"], trusted: proxies) == "198.51.100.1")
            #expect(ClientAddress.resolve(peer: "10.0.0.2", forwardedFor: [], trusted: proxies) == "10.0.0.2")
            #expect(ClientAddress.resolve(peer: nil, forwardedFor: ["198.51.100.1"], trusted: proxies) == "unknown")
            let settings = TrellisSettings.fromEnvironment(["TRELLIS_TRUSTED_PROXIES": " 127.0.0.1, ::1 ,"])
            #expect(settings.trustedProxies == ["127.0.0.1", "::1"])
            #expect(TrellisSettings.fromEnvironment([:]).trustedProxies.isEmpty)
        }

        @Test func `behind a trusted proxy, failures lock the client's address, not the proxy's`() async throws {
            var settings = testSettings()
            settings.trustedProxies = ["127.0.0.1"]
            try await withTrellis(settings: settings) { app in
                try await TestPeople.create(on: app)
                // A real server on a socket; every request comes from 127.0.0.1, the "proxy".
                app.http.client.configuration.redirectConfiguration = .disallow
                try await app.server.start(address: .hostname("127.0.0.1", port: 0))
                let port = app.http.server.shared.localAddress?.port ?? 0
                func signIn(_ email: String, _ password: String, from address: String) async throws -> HTTPStatus {
                    let form = try await app.client.get(URI(string: "http://127.0.0.1:\(port)/sign-in"))
                    let cookie = try #require(form.headers[.setCookie].first { $0.hasPrefix(CSRFMiddleware.cookieName) })
                    let token = String(cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)[1])
                    var headers = HTTPHeaders()
                    headers.add(name: .xForwardedFor, value: address)
                    headers.add(name: .cookie, value: "\(CSRFMiddleware.cookieName)=\(token)")
                    headers.contentType = .urlEncodedForm
                    let response = try await app.client.post(URI(string: "http://127.0.0.1:\(port)/sign-in"), headers: headers) { request in
                        request.body = ByteBuffer(string: Browser.encode([("email", email), ("password", password), ("csrf", token)]))
                    }
                    return response.status
                }
                do {
                    #expect(port > 0)
                    for _ in 0..<5 { #expect(try await signIn(TestPeople.alice, "guess", from: "203.0.113.5") == .unauthorized) }
                    // The attacker's address is locked, also for another account …
                    #expect(try await signIn(TestPeople.bob, TestPeople.password, from: "203.0.113.5") == .tooManyRequests)
                    // … but someone else behind the same proxy signs in.
                    #expect(try await signIn(TestPeople.bob, TestPeople.password, from: "198.51.100.7") == .seeOther)
                } catch {
                    await app.server.shutdown()
                    throw error
                }
                await app.server.shutdown()
            }
        }

        @Test func `X-Forwarded-For from an untrusted peer is ignored`() async throws {
            var settings = testSettings()
            settings.trustedProxies = ["10.0.0.2"]
            try await withTrellis(settings: settings) { app in
                try await TestPeople.create(on: app)
                var browser = Browser(app)
                for attempt in 0..<5 {
                    browser.headers.replaceOrAdd(name: .xForwardedFor, value: "198.51.100.\(attempt)")
                    #expect(try await browser.post("/sign-in", [("email", TestPeople.alice), ("password", "guess")]).status == .unauthorized)
                }
                // A new forged address does not escape the lock on the real one.
                browser.headers.replaceOrAdd(name: .xForwardedFor, value: "198.51.100.99")
                #expect(try await browser.post("/sign-in", [("email", TestPeople.bob), ("password", TestPeople.password)]).status == .tooManyRequests)
            }
        }

        @Test func `after five failures the account is locked, even for the right password, and the lock lapses`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var browser = Browser(app)
                for _ in 0..<5 {
                    #expect(try await browser.post("/sign-in", [("email", TestPeople.alice), ("password", "guess")]).status == .unauthorized)
                }
                let locked = try await browser.post("/sign-in", [("email", TestPeople.alice), ("password", TestPeople.password)])
                #expect(locked.status == .tooManyRequests)
                #expect(locked.text.contains("Too many failed attempts"))
                #expect(locked.text.contains("try again in 15 minutes"))
                #expect(browser.cookies[SessionMiddleware.cookieName] == nil)

                // The same address is locked for other accounts too.
                #expect(try await browser.post("/sign-in", [("email", TestPeople.bob), ("password", TestPeople.password)]).status == .tooManyRequests)

                // Sixteen minutes later the failures have left the window.
                let old = Date().addingTimeInterval(-16 * 60)
                try await SignInAttempt.query(on: app.db).set(\.$createdAt, to: old).update()
                #expect(try await browser.post("/sign-in", [("email", TestPeople.alice), ("password", TestPeople.password)]).status == .seeOther)
            }
        }

        @Test func `failures from other addresses still lock the account`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                for index in 0..<5 {
                    _ = try await SignInThrottle.reserve(email: TestPeople.alice, address: "203.0.113.\(index)", on: app.db)
                }
                var browser = Browser(app)
                #expect(try await browser.post("/sign-in", [("email", TestPeople.alice), ("password", TestPeople.password)]).status == .tooManyRequests)
                #expect(try await browser.post("/sign-in", [("email", TestPeople.bob), ("password", TestPeople.password)]).status == .seeOther)
            }
        }
    }

    @Suite struct CSRF {
        @Test func `a form without the token, or with another browser's token, is refused and changes nothing`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)

                let missing = try await alice.post("/settings/tokens", [("token_name", "sneaky")], addCSRF: false)
                #expect(missing.status == .forbidden)
                #expect(missing.text.contains("did not come from Trellis"))
                let forged = try await alice.post("/settings/tokens", [("token_name", "sneaky")], csrf: SecretToken.generate())
                #expect(forged.status == .forbidden)
                #expect(try await APIToken.query(on: app.db).count() == 0)

                let real = try await alice.post("/settings/tokens", [("token_name", "honest")])
                #expect(real.status == .ok)
                #expect(try await APIToken.query(on: app.db).count() == 1)
            }
        }

        @Test func `every form on every page carries the token`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let token = try #require(admin.csrf)
                for path in ["/", "/people", "/people/\(people.alice.id!)", "/people/\(people.alice.id!)/edit", "/admin/people", "/admin/import", "/settings"] {
                    let html = try await admin.get(path).text
                    let posts = html.components(separatedBy: "method=\"post\"").count - 1
                    let tokens = html.components(separatedBy: "name=\"csrf\" value=\"\(token)\"").count - 1
                    #expect(posts > 0 && posts == tokens, "\(path): \(posts) forms, \(tokens) tokens")
                }
            }
        }

        @Test func `sign-in without a token is refused`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var browser = Browser(app)
                let response = try await browser.post("/sign-in", [("email", TestPeople.alice), ("password", TestPeople.password)], addCSRF: false)
                #expect(response.status == .forbidden)
            }
        }
    }

    @Suite struct Headers {
        @Test func `pages carry the security headers`() async throws {
            try await withTrellis { app in
                var browser = Browser(app)
                let response = try await browser.get("/sign-in")
                let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(csp.contains("script-src 'self'"))
                #expect(!csp.contains("unsafe-inline"))
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") == "same-origin")
                let csrfCookie = response.headers[.setCookie].first { $0.hasPrefix(CSRFMiddleware.cookieName) } ?? ""
                #expect(csrfCookie.contains("HttpOnly") && csrfCookie.contains("SameSite=Lax"))
            }
        }

        @Test func `cookies are Secure when the base URL is https`() async throws {
            var settings = testSettings()
            settings.baseURL = "https://mentoring.example.org"
            try await withTrellis(settings: settings) { app in
                var browser = Browser(app)
                let response = try await browser.get("/sign-in")
                #expect(response.headers[.setCookie].allSatisfy { $0.contains("Secure") })
                #expect(response.headers.first(name: "Strict-Transport-Security") != nil)
            }
        }

        @Test func `output is escaped: a name with markup shows as text`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                people.bob.rename("<script>alert(1)</script> Bob")
                try await people.bob.save(on: app.db)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let html = try await alice.get("/people/\(people.bob.id!)").text
                #expect(!html.contains("<script>alert(1)</script>"))
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; Bob"))
            }
        }
    }

    @Suite struct PeopleAdministration {
        @Test func `the people page shows fifty at a time and searches by name or email`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                for index in 0..<60 {
                    try await PeopleStore.createPerson(email: "member\(index)@example.org", name: "Member \(String(format: "%02d", index))", role: .participant, on: app.db)
                }
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                func rows(_ html: String) -> Int { html.components(separatedBy: "<tr>").count - 2 } // less the header row
                let first = try await admin.get("/admin/people")
                #expect(first.status == .ok)
                #expect(first.text.contains("Everyone (63)"))
                #expect(first.text.contains("Page 1 of 2"))
                #expect(first.text.contains("href=\"/admin/people?page=2&amp;after="))
                #expect(rows(first.text) == 50)
                let second = try await admin.get("/admin/people?page=2")
                #expect(rows(second.text) == 13)
                #expect(second.text.contains("rel=\"prev\""))
                #expect(try await admin.get("/admin/people?page=99").text.contains("Page 2 of 2"))

                let alice = try await admin.get("/admin/people?q=ALICE")
                #expect(alice.text.contains("1 person matches “alice”"))
                #expect(alice.text.contains(TestPeople.alice))
                #expect(!alice.text.contains(TestPeople.bob))
                #expect(rows(alice.text) == 1)
                let byEmail = try await admin.get("/admin/people?q=member5")
                #expect(byEmail.text.contains("11 people match")) // member5 and member50…59
                #expect(!byEmail.text.contains("Page 1 of"))
                let none = try await admin.get("/admin/people?q=nobody-like-this")
                #expect(none.text.contains("No one matches"))
            }
        }
    }

    @Suite struct Links {
        @Test func `an invited person sets their own password through a one-time link`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let added = try await admin.post("/admin/people", [("name", "Carol Chen"), ("email", "carol@example.org"), ("role", "participant"), ("invite", "on")])
                #expect(added.status == .created)
                let link = try #require(added.text.firstMatch(of: /http:\/\/trellis\.test\/invite\/[A-Za-z0-9_-]+/)).output
                let path = String(link.dropFirst("http://trellis.test".count))
                let carol = try #require(try await User.query(on: app.db).filter(\.$email == "carol@example.org").first())
                #expect(carol.passwordHash == nil)

                var visitor = Browser(app)
                #expect(try await visitor.get(path).text.contains("Welcome, Carol Chen"))
                let mismatch = try await visitor.post(path, [("password", "carols own password"), ("password_confirmation", "something else")])
                #expect(mismatch.status == .unprocessableEntity)
                #expect(mismatch.text.contains("do not match"))
                let set = try await visitor.post(path, [("password", "carols own password"), ("password_confirmation", "carols own password")])
                #expect(set.status == .seeOther)
                #expect(try await visitor.get("/").text.contains("Welcome, Carol"))

                let reuse = try await Browser(app).getting(path)
                #expect(reuse.status == .gone)
                var fresh = Browser(app)
                try await fresh.signIn("carol@example.org", "carols own password")
            }
        }

        @Test func `a reset link replaces the password and ends every session`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let aliceID = try #require(try await User.query(on: app.db).filter(\.$email == TestPeople.alice).first()?.id)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let page = try await admin.post("/admin/people/\(aliceID)/reset-link")
                let link = try #require(page.text.firstMatch(of: /http:\/\/trellis\.test\/reset\/[A-Za-z0-9_-]+/)).output
                var visitor = Browser(app)
                let path = String(link.dropFirst("http://trellis.test".count))
                #expect(try await visitor.post(path, [("password", "a brand new password"), ("password_confirmation", "a brand new password")]).status == .seeOther)
                #expect(try await alice.get("/settings").status == .seeOther, "the old session was ended")
                var again = Browser(app)
                try await again.signIn(TestPeople.alice, "a brand new password")
            }
        }

        @Test func `of many concurrent uses of one link exactly one succeeds`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let link = OneTimeToken(tokenHash: SecretToken.digest(SecretToken.generate()), userID: try people.bob.requireID(), purpose: .reset, now: Date(), lifetime: 3600, createdBy: nil)
                try await link.create(on: app.db)
                let id = try link.requireID()
                let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for _ in 0..<12 {
                        group.addTask {
                            // A database that refuses a concurrent writer outright counts as not claimed.
                            (try? await app.db.transaction { tx in try await AuthController.claim(id, on: tx) }) ?? false
                        }
                    }
                    return try await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 }.count == 1)
                #expect(try await OneTimeToken.find(id, on: app.db)?.usedAt != nil)
                #expect(try await AuthController.claim(id, on: app.db) == false)
            }
        }

        @Test func `expired and unknown links are refused`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let token = SecretToken.generate()
                try await OneTimeToken(tokenHash: SecretToken.digest(token), userID: people.bob.requireID(), purpose: .invite, now: Date().addingTimeInterval(-8 * 24 * 3600), lifetime: 7 * 24 * 3600, createdBy: nil).create(on: app.db)
                var visitor = Browser(app)
                let expired = try await visitor.get("/invite/\(token)")
                #expect(expired.status == .gone)
                #expect(expired.text.contains("expired"))
                #expect(try await visitor.get("/invite/nonsense").status == .notFound)
                #expect(try await visitor.get("/reset/\(token)").status == .notFound, "an invitation is not a reset link")
            }
        }
    }

    @Suite struct Passwords {
        @Test func `changing your password needs the current one and signs you out elsewhere`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var laptop = Browser(app)
                try await laptop.signIn(TestPeople.alice)
                var phone = Browser(app)
                try await phone.signIn(TestPeople.alice)

                let wrong = try await laptop.post("/settings/password", [("current_password", "not it at all"), ("password", "my next password"), ("password_confirmation", "my next password")])
                #expect(wrong.status == .unprocessableEntity)
                #expect(wrong.text.contains("not your current password"))

                let right = try await laptop.post("/settings/password", [("current_password", TestPeople.password), ("password", "my next password"), ("password_confirmation", "my next password")])
                #expect(right.status == .ok)
                #expect(right.text.contains("Your password was changed"))
                #expect(try await laptop.get("/settings").status == .ok)
                #expect(try await phone.get("/settings").status == .seeOther)
                var fresh = Browser(app)
                try await fresh.signIn(TestPeople.alice, "my next password")
            }
        }
    }
}

extension Browser {
    /// A GET from a fresh copy of this browser.
    func getting(_ path: String) async throws -> TestingHTTPResponse {
        var copy = self
        return try await copy.get(path)
    }
}
