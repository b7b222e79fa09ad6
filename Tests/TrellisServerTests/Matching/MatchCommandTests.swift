import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import TrellisMatching
import TrellisFixtures

/// `trellis match` on files. It needs no server, so these tests call it directly.
// Serialized: `captureStandardError` points the process's standard error at a file, and two
// tests doing so at once read each other's (or nothing).
@Suite(.serialized) final class MatchCommandTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-match-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Each test's files go when it ends (they had been left in the temporary folder).
    deinit { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func read(_ path: String) throws -> (header: [String], rows: [[String]]) {
        try PeopleFile.read(String(contentsOfFile: path, encoding: .utf8))
    }

    static let people = """
    email,name,role,department,manager_email,timezone,languages,expertise,development_areas,interests,values,capacity,meeting_frequency,years_experience
    ada@example.org,Ada Obi,mentor,Engineering,,Europe/London,English,Kubernetes;SQL,,Chess,Curiosity,1,monthly,15
    ben@example.org,Ben Cho,mentor,Design,,Asia/Singapore,English;Mandarin,Accessibility;Research,,Cycling,Kindness,1,weekly,10
    cai@example.org,Cai Lin,mentee,Engineering,ada@example.org,Europe/London,English,,Kubernetes,Chess,Curiosity,,monthly,2
    dee@example.org,Dee Roy,mentee,Design,,Asia/Singapore,English,,Accessibility;Kubernetes,Cycling,Kindness,,weekly,1
    eli@example.org,Eli Fox,mentee,Sales,,America/New_York,English,,SQL,Chess,,,monthly,3
    """

    @Test func `people in, matches with scores and reasons out; the reporting line is respected`() async throws {
        let input = try file("people.csv", Self.people)
        let out = path("matches.csv")
        #expect(await MatchCommand.run(["people", input, "--out", out]) == 0)
        let (header, rows) = try read(out)
        #expect(header == ["mentee_email", "mentor_email", "score", "reasons"])
        #expect(rows.count == 3, "every mentee appears once, matched or not")
        let byMentee = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0) })
        #expect(byMentee["cai@example.org"]?[1] != "ada@example.org", "Ada manages Cai")
        #expect(byMentee["dee@example.org"]?[1] == "ben@example.org")
        #expect(byMentee["dee@example.org"]?[3].contains("covers 1 of Dee's 2 development areas (accessibility)") == true)
        let unmatched = rows.filter { $0[1].isEmpty }
        #expect(unmatched.count == 1)
        #expect(unmatched[0][3].contains("mentor"))
        for row in rows where !row[1].isEmpty { #expect(ScoreUnits.parse(row[2]) != nil) }

        let greedy = path("greedy.csv")
        #expect(await MatchCommand.run(["people", input, "--out", greedy, "--algorithm", "greedy", "--objective", "score"]) == 0)
        let participation = path("participation.csv")
        #expect(await MatchCommand.run(["people", input, "--out", participation, "--objective", "participation", "--exclude-same-department", "--min-score", "0.1"]) == 0)
    }

    /// A file large enough that its rows are checked, and its pairs explained, on several threads:
    /// every line of the output carries its own pair's score and reasons.
    @Test func `a large file: every pair's line has that pair's own score and reasons`() async throws {
        var lines = [PeopleTable.columns.joined(separator: ",")]
        let skills = (0..<30).map { "Skill \($0)" }, zones = ["Europe/London", "Asia/Tokyo", "America/New_York"]
        var rng = SeededGenerator(seed: 2026)
        for index in 0..<4_500 {
            let mentor = index < 1_500
            let tags = (0..<3).map { _ in skills.randomElement(using: &rng)! }.joined(separator: ";")
            let zone = zones.randomElement(using: &rng)!
            lines.append("p\(index)@example.org,Person \(index),\(mentor ? "mentor" : "mentee"),D\(index % 7),,\(zone),English,\(mentor ? tags : ""),\(mentor ? "" : tags),Chess,,\(mentor ? "2" : ""),monthly,\(index % 30)")
        }
        let input = try file("large.csv", lines.joined(separator: "\n") + "\n")
        let out = path("large-matches.csv")
        #expect(await MatchCommand.run(["people", input, "--out", out]) == 0)
        let (_, rows) = try read(out)
        #expect(rows.count == 3_000)
        #expect(Set(rows.map { $0[0] }).count == 3_000, "every mentee once")
        let parsed = try PeopleTable.parse(header: PeopleFile.read(String(contentsOfFile: input, encoding: .utf8)).header, rows: PeopleFile.read(String(contentsOfFile: input, encoding: .utf8)).rows, workers: 1)
        let engine = try MatchEngine(participants: parsed.records.map(Participant.init))
        let matched = rows.filter { !$0[1].isEmpty }
        #expect(matched.count > 2_000)
        for row in matched {
            let explanation = try engine.explain(menteeID: row[0], mentorID: row[1])
            #expect(row[3] == explanation.summary, "\(row[0]) with \(row[1])")
            #expect(row[2] == ScoreUnits.format(explanation.score))
        }
    }

    @Test func `stable matching uses the rankings file`() async throws {
        let input = try file("people.csv", Self.people)
        let rankings = try file("rankings.csv", """
        ranker,ranked,rank
        eli@example.org,ada@example.org,1
        ada@example.org,eli@example.org,1
        dee@example.org,ada@example.org,1
        ada@example.org,dee@example.org,2
        """)
        let out = path("stable.csv")
        #expect(await MatchCommand.run(["people", input, "--out", out, "--algorithm", "stable", "--rankings", rankings]) == 0)
        let rows = try read(out).rows
        #expect(rows.contains { $0[0] == "eli@example.org" && $0[1] == "ada@example.org" })
        #expect(rows.contains { $0[0] == "dee@example.org" && $0[1].isEmpty })
        #expect(await MatchCommand.run(["people", input, "--out", out, "--algorithm", "stable"]) == 2, "stable needs rankings")
    }

    @Test func `scores in, optimal pairs out`() async throws {
        let scores = try file("scores.csv", """
        mentee,mentor,score
        a,x,0.9
        a,y,0.8
        b,x,0.85
        c,y,0.1
        """)
        let capacities = try file("capacities.csv", "mentor,capacity\nx,1\ny,1\n")
        let out = path("pairs.csv")
        #expect(await MatchCommand.run(["scores", scores, "--capacities", capacities, "--out", out]) == 0)
        let (header, rows) = try read(out)
        #expect(header == ["mentee", "mentor", "score"])
        // a–y and b–x (1.65) beat a–x alone plus c–y (1.0).
        #expect(Set(rows.map { $0[0] + "-" + $0[1] }) == ["a-y", "b-x"])
        #expect(rows.first { $0[0] == "a" }?[2] == "0.800000")

        let greedyOut = path("greedy-pairs.csv")
        #expect(await MatchCommand.run(["scores", scores, "--capacities", capacities, "--out", greedyOut, "--algorithm", "greedy"]) == 0)
        #expect(Set(try read(greedyOut).rows.map { $0[0] + "-" + $0[1] }) == ["a-x", "c-y"])
    }

    @Test func `a pair or a mentor listed twice is named with both rows, and nothing is written`() async throws {
        let scores = try file("twice-scores.csv", "mentee,mentor,score\na,x,0.5\nb,x,0.4\n a ,x,0.3\n\nb,y,0.2\na,x,0.1\n")
        let capacities = try file("twice-capacities.csv", "mentor,capacity\nx,1\ny,2\nx,3\n")
        let out = path("never-twice.csv")
        let (code, message) = try await captureStandardError { await MatchCommand.run(["scores", scores, "--capacities", capacities, "--out", out]) }
        #expect(code == 1)
        #expect(message.contains("twice-scores.csv: row 4: the pair a → x is already listed in row 2."), "\(message)")
        #expect(message.contains("twice-capacities.csv: row 4, column mentor, value “x”: already listed in row 2."))
        #expect(message.contains("twice-scores.csv: row 7: the pair a → x is already listed in row 2."), "the first row is kept however often a pair comes back")
        #expect(!message.contains("row 6"), "b → y is listed once")
        let columns = try file("twice-columns.csv", "mentee,mentor,score,score\na,x,0.5,0.6\n")
        let (columnCode, columnMessage) = try await captureStandardError { await MatchCommand.run(["scores", columns, "--capacities", capacities, "--out", out]) }
        #expect(columnCode == 1)
        #expect(columnMessage.contains("twice-columns.csv: row 1 (header): the column score is there twice."))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func `bad files are named with row, column and what is allowed, and nothing is written`() async throws {
        let scores = try file("bad-scores.csv", "mentee,mentor,score\na,x,-1\nb,x,0.1234567\nc,z,0.5\n")
        let capacities = try file("bad-capacities.csv", "mentor,capacity\nx,two\n")
        let out = path("never.csv")
        let (code, message) = try await captureStandardError { await MatchCommand.run(["scores", scores, "--capacities", capacities, "--out", out]) }
        #expect(code == 1)
        #expect(message.contains("bad-capacities.csv: row 2, column capacity, value “two”: must be a whole number"))
        #expect(message.contains("bad-scores.csv: row 2, column score, value “-1”: must be a decimal number from 0 to 1000, with at most 6 decimal places"))
        #expect(message.contains("row 3, column score, value “0.1234567”"))
        #expect(message.contains("row 4, column mentor, value “z”: not listed in"))
        #expect(!FileManager.default.fileExists(atPath: out))

        let people = try file("bad-people.csv", Self.people.replacingOccurrences(of: "Europe/London,English,,Kubernetes", with: "Mars/Base,English,,Kubernetes"))
        let (peopleCode, peopleMessage) = try await captureStandardError { await MatchCommand.run(["people", people, "--out", out]) }
        #expect(peopleCode == 1)
        #expect(peopleMessage.contains("row 4, column timezone, value “Mars/Base”"))
        #expect(!FileManager.default.fileExists(atPath: out))

        let weights = try file("weights.json", "{\"complementarity\": 0.5, \"luck\": 1}")
        let goodPeople = try file("people.csv", Self.people)
        let (weightsCode, weightsMessage) = try await captureStandardError { await MatchCommand.run(["people", goodPeople, "--out", out, "--weights", weights]) }
        #expect(weightsCode == 1)
        #expect(weightsMessage.contains("unknown weight “luck”"))
        #expect(await MatchCommand.run(["people", "--out", out]) == 2)
        #expect(await MatchCommand.run(["people", people, "--out", out, "--min-score", "2"]) == 2)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func `the command line is ConsoleKit's: a wrong kind, a missing value or an option of the other kind is a usage error (2) that says so`() async throws {
        let people = try file("people.csv", Self.people)
        let out = path("matches.csv")
        let cases: [([String], String)] = [
            ([people, "--out", out], "Usage: trellis match people PEOPLE.csv"),
            (["person", people, "--out", out], "“person” is not people or scores"),
            (["people", people, "--out"], "--out needs a value"),
            (["people", people, "--out", "--algorithm", "greedy"], "--out needs a value"),
            (["people", people], "--out is required"),
            (["people", people, "--out", out, "--algorithm", "best"], "--algorithm: “best” is not one of optimal, stable, greedy"),
            (["scores", people, "--out", out], "needs --capacities"),
            (["scores", people, "--capacities", people, "--out", out, "--exclude-same-department"], "--exclude-same-department applies to people only"),
            (["people", people, "--out", out, "--capacities", people], "--capacities goes with scores"),
            (["people", people, "--out", out, "--colour", "red"], "Input not recognized: --colour red"),
            (["people", people, people, "--out", out], "Input not recognized: \(people)"),
            (["people", people, "--out", out, "--min-score", "-0.5"], "--min-score: “-0.5” is not a number from 0 to 1."),
            (["people", people, "--out", "--exclude-same-department"], "--out needs a value"),
            (["people", people, "--out", ""], "--out needs a file name"),
            (["people", people, "--out", people], "is the file to match; write the matches to another file"),
            (["scores", out, "--capacities", people, "--out", directory.appendingPathComponent("./people.csv").path], "is the --capacities file"),
            // Found before reading or matching anything (a folder that cannot be written to is
            // refused the same way; tests run as root here, which may write anywhere).
            (["people", people, "--out", directory.appendingPathComponent("no-such-folder/matches.csv").path], "does not exist"),
            (["people", people, "--out", directory.path], "is a folder; name a file"),
            (["scores", "missing.csv", "--capacities", people, "--out", directory.path + "/"], "is a folder; name a file"),
        ]
        for (arguments, expected) in cases {
            let (code, message) = try await captureStandardError { await MatchCommand.run(arguments) }
            #expect(code == 2, "\(arguments)")
            #expect(message.contains(expected), "\(arguments): \(message)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func `extreme scores and capacities: the largest score on every pair, a mentor of 2 billion places, every algorithm`() async throws {
        let scores = try file("max-scores.csv", "mentee,mentor,score\n" + (0..<6).map { "e\($0),m1,1000\ne\($0),m2,1000.000000\n" }.joined())
        let capacities = try file("max-capacities.csv", "mentor,capacity\nm1,2147483647\nm2,4\n")
        for algorithm in ["optimal", "greedy", "stable"] {
            for objective in ["score", "participation"] {
                let out = path("max-\(algorithm)-\(objective).csv")
                #expect(await MatchCommand.run(["scores", scores, "--capacities", capacities, "--out", out, "--algorithm", algorithm, "--objective", objective]) == 0)
                #expect(try read(out).rows.count == 6, "\(algorithm), \(objective): everyone placed")
            }
        }
        let tooLarge = try file("too-large.csv", "mentee,mentor,score\ne1,m1,1000.000001\ne2,m1,2305843009213.999999\n")
        let (code, message) = try await captureStandardError { await MatchCommand.run(["scores", tooLarge, "--capacities", capacities, "--out", path("never.csv")]) }
        #expect(code == 1)
        #expect(message.contains("row 2, column score, value “1000.000001”: must be a decimal number from 0 to 1000"))
        #expect(message.contains("row 3, column score, value “2305843009213.999999”"))
    }

    /// Runs `body` with standard error sent to a file, and returns what it wrote.
    func captureStandardError(_ body: () async -> Int32) async throws -> (Int32, String) {
        let capture = path("stderr-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: capture, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: capture))
        let saved = dup(STDERR_FILENO)
        dup2(handle.fileDescriptor, STDERR_FILENO)
        let code = await body()
        dup2(saved, STDERR_FILENO)
        close(saved)
        try handle.close()
        return (code, try String(contentsOfFile: capture, encoding: .utf8))
    }
}
