import Foundation
import Testing
import TrellisCore
@testable import TrellisMatching
import TrellisFixtures

/// The benchmark's population shapes are what they say, and the engine proves its optimum and
/// keeps every rule on each of them (the benchmark measures their speed).
@Suite struct PopulationShapeTests {
    @Test("each shape has the lists and reporting lines it describes", arguments: SyntheticPopulation.Shape.all.map(\.name))
    func shapeIsAsDescribed(name: String) throws {
        let shape = try #require(SyntheticPopulation.Shape.all.first { $0.name == name })
        let people = SyntheticPopulation.make(mentees: 2_400, mentors: 600, shape: shape, seed: 3)
        let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0) })
        var deepest = 0
        for person in people {
            let list = person.role == .mentor ? person.expertise : person.developmentAreas
            #expect(shape.tagsPerList.contains(list.count), "\(list.count) tags")
            #expect(shape.interestsPerPerson.contains(person.interests.count))
            #expect(shape.valuesPerPerson.contains(person.values.count))
            if let languages = shape.languagesPerPerson { #expect(languages.contains(person.languages.count)) } else { #expect(person.languages.first == "English") }
            if let years = shape.years, let given = person.yearsExperience {
                #expect((person.role == .mentor ? years.mentors : years.mentees).contains(given))
            }
            var depth = 0, manager = person.managerID
            while let current = manager { depth += 1; manager = byID[current]?.managerID }
            deepest = max(deepest, depth)
        }
        // Two levels below the head by default; a tree of `reportsPerManager` goes deeper.
        if shape.reportsPerManager == 0 { #expect(deepest == 2) } else { #expect(deepest >= 4, "\(deepest) levels") }
        #expect(Set(people.map(\.department)).count == (people.count + shape.departmentSize - 1) / shape.departmentSize)
        if shape.languagesPerPerson != nil {
            // No language everyone speaks, and some mentees with more years than some mentors.
            #expect(people.reduce(Set(people[0].languages)) { $0.intersection($1.languages) }.isEmpty)
            let mentorYears = people.filter { $0.role == .mentor }.compactMap(\.yearsExperience)
            #expect(people.contains { $0.role == .mentee && ($0.yearsExperience ?? 0) > (mentorYears.min() ?? 0) })
        }
        if let kinds = shape.kinds {
            // Everyone of a side is alike with one of that side's kinds in all that scores.
            func profile(_ person: Participant) -> [String] {
                [person.timezone, person.languages.joined(separator: ","), person.expertise.joined(separator: ","),
                 person.developmentAreas.joined(separator: ","), person.interests.joined(separator: ","), person.values.joined(separator: ","),
                 person.meetingFrequency.map { "\($0)" } ?? "", person.yearsExperience.map(String.init) ?? ""]
            }
            for role in [MentoringRole.mentor, .mentee] {
                let profiles = Set(people.filter { $0.role == role }.map(profile))
                #expect(profiles.count <= kinds && profiles.count > kinds / 2, "\(profiles.count) kinds of \(role)")
            }
        }
    }

    @Test("the engine proves its optimum and keeps every rule on every shape", arguments: SyntheticPopulation.Shape.all.map(\.name))
    func engineOnEveryShape(name: String) throws {
        let shape = try #require(SyntheticPopulation.Shape.all.first { $0.name == name })
        let people = SyntheticPopulation.make(mentees: 1_600, mentors: 400, shape: shape, seed: 9)
        for excludeSameDepartment in [false, true] {
            let options = MatchOptions(excludeSameDepartment: excludeSameDepartment, menteeCandidates: 8, mentorCandidates: 16, threads: 2)
            let engine = try MatchEngine(participants: people, options: options)
            let result = try engine.optimal()
            #expect(result.provenOptimal)
            checkRules(result, engine, people, options)
            let greedy = try engine.greedy()
            #expect(greedy.totalScore <= result.totalScore)
        }
    }
}
