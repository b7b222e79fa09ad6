import Foundation
import TrellisCore

/// The participants of a run, encoded for fast scoring: tags as bitsets over a vocabulary,
/// time zones and preferences as small codes, reporting lines as intervals of a depth-first tour
/// (a is above b exactly when b's interval lies inside a's), and each factor as a table of
/// contributions in millionths. Built once per run; read concurrently by the scoring workers.
final class PreparedInstance: @unchecked Sendable {
    let participants: [Participant]
    let options: MatchOptions
    /// Participant index of each mentor / mentee slot.
    let mentorPerson: [Int32]
    let menteePerson: [Int32]
    let mentorCapacity: [Int32]
    let indexOfID: [String: Int]
    let mentorSlotOfPerson: [Int32]
    let menteeSlotOfPerson: [Int32]

    // Bitsets, one row of `words` per participant.
    let skillWords: Int, interestWords: Int, valueWords: Int, languageWords: Int
    let expertiseBits: UnsafeMutablePointer<UInt64>
    let developmentBits: UnsafeMutablePointer<UInt64>
    let interestBits: UnsafeMutablePointer<UInt64>
    let valueBits: UnsafeMutablePointer<UInt64>
    let languageBits: UnsafeMutablePointer<UInt64>
    let developmentCount: [Int32], interestCount: [Int32], valueCount: [Int32], languageCount: [Int32]
    let skillNames: [String], interestNames: [String], valueNames: [String], languageNames: [String]

    let timezoneIndex: [Int32]
    /// Per distinct zone, its offset from UTC in minutes, or `unknownOffset`.
    let timezoneOffsetMinutes: [Int32]
    /// The position of the preference in `MeetingFrequency.allCases`, or `unknownFrequency`.
    let frequencyCode: [Int32]
    /// Years of experience, or `unknownYears`.
    let years: [Int32]
    /// A code per department (spellings of one key share it), or `noDepartment`.
    let department: [Int32]
    let tourIn: [Int32], tourOut: [Int32]
    /// Each participant's manager (participant index), or -1.
    let managerIndex: [Int32]
    /// Per mentee slot, sorted mentor slots that must not be paired with it.
    let exclusions: [[Int32]]

    // Contribution tables in millionths.
    let complementTable: [Int64]          // [devCount][overlap], row length maxTags + 1
    let interestTable: [Int64]            // [min count][overlap]
    let valueTable: [Int64]
    let timezoneTable: [Int64]            // [zone a * zones + zone b]
    let languageShared: Int64, languageNone: Int64, languageUnknown: Int64
    let frequencyTable: [Int64]           // [code a * frequencyCodes + code b]
    let experienceTable: [Int64]          // gap clamped to -1...8, index gap + 1
    let experienceUnknown: Int64
    let tableRow: Int
    let zoneCount: Int
    let minimumScore: Int64
    /// The run's weights, summing to one.
    let normalisedWeights: MatchWeights

    // What a participant did not give, as coded here (each such factor counts as half).
    /// The zone offset of a missing or unknown time zone.
    static let unknownOffset = Int32.min
    /// The frequency code of no preference, after the choices' codes.
    static let unknownFrequency = Int32(MeetingFrequency.allCases.count)
    /// How many frequency codes there are (a row of `frequencyTable`); at most 8, as
    /// `BoundedScoring` packs a zone and a frequency code as `zone << 3 | frequency`.
    static let frequencyCodes = MeetingFrequency.allCases.count + 1
    static let unknownYears: Int32 = -1
    static let noDepartment: Int32 = -1

    static let referenceDate = Date(timeIntervalSince1970: 1_768_478_400) // 2026-01-15 12:00 UTC: one fixed instant, so results never depend on daylight saving

    init(participants: [Participant], options: MatchOptions) throws {
        self.participants = participants
        self.options = options
        var index: [String: Int] = [:]
        // Participants are read a field at a time (`participants[position].id`): taking a whole
        // participant copies it, which retains and releases each of its strings and lists, and
        // at 125,000 people that was a fifth of this preparation.
        for position in participants.indices {
            let id = participants[position].id
            guard index[id] == nil else { throw MatchInputError("The id “\(id)” appears more than once.") }
            index[id] = position
        }
        indexOfID = index
        var mentors: [Int32] = [], mentees: [Int32] = [], capacity: [Int32] = []
        var mentorSlot = [Int32](repeating: -1, count: participants.count)
        var menteeSlot = [Int32](repeating: -1, count: participants.count)
        for position in participants.indices {
            let role = participants[position].role, personCapacity = participants[position].capacity
            if role?.canMentor == true, personCapacity > 0 {
                mentorSlot[position] = Int32(mentors.count)
                mentors.append(Int32(position))
                capacity.append(Int32(personCapacity))
            }
            if role?.wantsMentor == true {
                menteeSlot[position] = Int32(mentees.count)
                mentees.append(Int32(position))
            }
        }
        guard mentors.count < (1 << 24), mentees.count < (1 << 24) else { throw MatchInputError("At most 16,777,215 mentors and mentees each.") }
        mentorPerson = mentors
        menteePerson = mentees
        mentorCapacity = capacity
        mentorSlotOfPerson = mentorSlot
        menteeSlotOfPerson = menteeSlot

        // Vocabularies: skills are shared by expertise and development areas so that they can meet.
        // Tags repeat a great deal, so each distinct spelling is normalised once and then looked
        // up, once per tag: each list becomes its vocabulary positions as the vocabulary grows.
        struct Vocabulary {
            var names: [String] = [], byKey: [String: Int] = [:], bySpelling: [String: Int] = [:]
            /// Per participant, the positions of their tags (-1 for a tag with nothing in it).
            mutating func positions(_ count: Int, _ list: (Int) -> [String]) -> [[Int]] {
                (0..<count).map { person in
                    list(person).map { tag in
                        if let known = bySpelling[tag] { return known }
                        let key = Tags.key(tag)
                        let position: Int
                        if key.isEmpty { position = -1 }
                        else if let known = byKey[key] { position = known }
                        else { position = names.count; byKey[key] = names.count; names.append(Tags.clean(tag)) }
                        bySpelling[tag] = position
                        return position
                    }
                }
            }
        }
        // Skills (two lists a person) on one core, the other three vocabularies on another; each
        // vocabulary is built by one of them, in participant order, so the positions are the same
        // as on one core.
        final class Lists: @unchecked Sendable {
            var skills = Vocabulary(), interests = Vocabulary(), values = Vocabulary(), languages = Vocabulary()
            var expertise: [[Int]] = [], development: [[Int]] = [], interest: [[Int]] = [], value: [[Int]] = [], language: [[Int]] = []
        }
        let lists = Lists(), people = participants.count
        let vocabularies: @Sendable (Int) -> Void = { part in
            if part == 0 {
                lists.expertise = lists.skills.positions(people) { participants[$0].expertise }
                lists.development = lists.skills.positions(people) { participants[$0].developmentAreas }
            } else {
                lists.interest = lists.interests.positions(people) { participants[$0].interests }
                lists.value = lists.values.positions(people) { participants[$0].values }
                lists.language = lists.languages.positions(people) { participants[$0].languages }
            }
        }
        if options.threads > 1 { DispatchQueue.concurrentPerform(iterations: 2, execute: vocabularies) } else { vocabularies(0); vocabularies(1) }
        let (skills, interests, values, languages) = (lists.skills, lists.interests, lists.values, lists.languages)
        let expertisePositions = lists.expertise, developmentPositions = lists.development
        let interestPositions = lists.interest, valuePositions = lists.value, languagePositions = lists.language
        skillNames = skills.names; interestNames = interests.names; valueNames = values.names; languageNames = languages.names
        func words(_ count: Int) -> Int { max(1, (count + 63) / 64) }
        skillWords = words(skills.names.count); interestWords = words(interests.names.count)
        valueWords = words(values.names.count); languageWords = words(languages.names.count)
        func bits(_ words: Int, _ positions: [[Int]]) -> (UnsafeMutablePointer<UInt64>, [Int32]) {
            let pointer = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, participants.count * words))
            pointer.initialize(repeating: 0, count: max(1, participants.count * words))
            var counts = [Int32](repeating: 0, count: participants.count)
            for (person, list) in positions.enumerated() {
                for bit in list where bit >= 0 {
                    let word = person * words + bit / 64, mask = UInt64(1) << UInt64(bit % 64)
                    if pointer[word] & mask == 0 { pointer[word] |= mask; counts[person] += 1 }
                }
            }
            return (pointer, counts)
        }
        (expertiseBits, _) = bits(skillWords, expertisePositions)
        (developmentBits, developmentCount) = bits(skillWords, developmentPositions)
        (interestBits, interestCount) = bits(interestWords, interestPositions)
        (valueBits, valueCount) = bits(valueWords, valuePositions)
        (languageBits, languageCount) = bits(languageWords, languagePositions)

        // Time zones: each distinct name once, its offset at the reference instant.
        var zoneIndex: [String: Int32] = [:], offsets: [Int32] = []
        timezoneIndex = participants.indices.map { position in
            let timezone = participants[position].timezone
            if let known = zoneIndex[timezone] { return known }
            let offset = timezone.isEmpty ? nil : TimeZone(identifier: timezone)?.secondsFromGMT(for: Self.referenceDate)
            zoneIndex[timezone] = Int32(offsets.count)
            offsets.append(offset.map { Int32($0 / 60) } ?? Self.unknownOffset)
            return Int32(offsets.count - 1)
        }
        timezoneOffsetMinutes = offsets
        zoneCount = offsets.count
        frequencyCode = participants.indices.map { position in
            guard let frequency = participants[position].meetingFrequency else { return Self.unknownFrequency }
            return Int32(MeetingFrequency.allCases.firstIndex(of: frequency)!)
        }
        // Negative years are as good as none (the bounds of `BoundedScoring` count any negative
        // value as unknown, so the scores must too); very large ones are capped.
        years = participants.indices.map { position in participants[position].yearsExperience.flatMap { $0 >= 0 ? Int32(clamping: $0) : nil } ?? Self.unknownYears }
        var departmentIndex: [String: Int32] = [:], departmentOfSpelling: [String: Int32] = [:]
        department = participants.indices.map { position in
            let spelling = participants[position].department
            if let known = departmentOfSpelling[spelling] { return known }
            let key = Tags.key(spelling)
            var index = Self.noDepartment
            if !key.isEmpty {
                if let known = departmentIndex[key] { index = known } else { index = Int32(departmentIndex.count); departmentIndex[key] = index }
            }
            departmentOfSpelling[spelling] = index
            return index
        }

        // Reporting lines: a depth-first tour of the manager forest.
        var children = [[Int32]](repeating: [], count: participants.count)
        var hasManager = [Bool](repeating: false, count: participants.count)
        var parent = [Int32](repeating: -1, count: participants.count)
        for position in participants.indices {
            if let manager = participants[position].managerID, let managerIndex = index[manager], managerIndex != position {
                children[managerIndex].append(Int32(position))
                hasManager[position] = true
                parent[position] = Int32(managerIndex)
            }
        }
        managerIndex = parent
        var tin = [Int32](repeating: -1, count: participants.count), tout = [Int32](repeating: -1, count: participants.count)
        var clock: Int32 = 0
        for root in participants.indices where !hasManager[root] {
            var stack: [(Int32, Int)] = [(Int32(root), 0)]
            tin[root] = clock; clock += 1
            while let (node, next) = stack.last {
                let kids = children[Int(node)]
                if next < kids.count {
                    stack[stack.count - 1].1 += 1
                    let child = kids[next]
                    tin[Int(child)] = clock; clock += 1
                    stack.append((child, 0))
                } else {
                    tout[Int(node)] = clock; clock += 1
                    stack.removeLast()
                }
            }
        }
        if let unreached = tin.firstIndex(of: -1) {
            throw MatchInputError("The reporting lines form a loop through “\(participants[unreached].id)”: someone is managed, directly or not, by a person they manage.")
        }
        tourIn = tin; tourOut = tout

        // Exclusions by mentee slot.
        var excluded = [[Int32]](repeating: [], count: mentees.count)
        for pair in options.exclusions {
            guard let e = index[pair.mentee], let m = index[pair.mentor] else {
                throw MatchInputError("An exclusion names someone who is not in the input: \(pair.mentee) / \(pair.mentor).")
            }
            if menteeSlot[e] >= 0, mentorSlot[m] >= 0 { excluded[Int(menteeSlot[e])].append(mentorSlot[m]) }
        }
        exclusions = excluded.map { Array(Set($0)).sorted() }

        // Tables.
        let w = options.weights.normalised
        normalisedWeights = w
        func micro(_ weight: Double, _ fraction: Double) -> Int64 { Int64((weight * fraction * Double(ScoreUnits.perOne)).rounded()) }
        let maxTags = max(Tags.maximumCount, Int((developmentCount + interestCount + valueCount).max() ?? 0)) + 1
        tableRow = maxTags
        var complement = [Int64](repeating: 0, count: maxTags * maxTags)
        var interest = complement, value = complement
        for count in 0..<maxTags {
            for overlap in 0...count {
                complement[count * maxTags + overlap] = count == 0 ? 0 : micro(w.complementarity, Double(overlap) / Double(count))
                interest[count * maxTags + overlap] = count == 0 ? 0 : micro(w.sharedInterests, Double(overlap) / Double(count))
                value[count * maxTags + overlap] = count == 0 ? 0 : micro(w.sharedValues, Double(overlap) / Double(count))
            }
        }
        complementTable = complement; interestTable = interest; valueTable = value
        var zones = [Int64](repeating: 0, count: offsets.count * offsets.count)
        for a in offsets.indices {
            for b in offsets.indices {
                zones[a * offsets.count + b] = micro(w.timeZone, Self.workingHoursOverlap(offsets[a], offsets[b]) / 8)
            }
        }
        timezoneTable = zones
        languageShared = micro(w.language, 1); languageNone = 0; languageUnknown = micro(w.language, 0.5)
        let codes = Self.frequencyCodes
        var frequency = [Int64](repeating: 0, count: codes * codes)
        for a in 0..<codes { for b in 0..<codes { frequency[a * codes + b] = micro(w.meetingFrequency, Self.frequencyAgreement(a, b)) } }
        frequencyTable = frequency
        experienceTable = (-1...8).map { gap in micro(w.experience, gap <= 0 ? 0 : Double(gap) / 8) }
        experienceUnknown = micro(w.experience, 0.5)
        minimumScore = Int64((options.minimumScore * Double(ScoreUnits.perOne)).rounded(.up))
    }

    deinit {
        expertiseBits.deallocate(); developmentBits.deallocate(); interestBits.deallocate()
        valueBits.deallocate(); languageBits.deallocate()
    }

    /// Hours of a 9-to-5 working day the two zones share; unknown zones count as half a day.
    static func workingHoursOverlap(_ a: Int32, _ b: Int32) -> Double {
        if a == unknownOffset || b == unknownOffset { return 4 }
        var difference = abs(Int(a) - Int(b)) % (24 * 60)
        difference = min(difference, 24 * 60 - difference)
        return max(0, Double(8 * 60 - difference) / 60)
    }

    /// 1 for the same preference, 0.5 for neighbouring ones or when either is flexible or unknown.
    static func frequencyAgreement(_ a: Int, _ b: Int) -> Double {
        if a == Int(unknownFrequency) || b == Int(unknownFrequency) { return 0.5 }
        let asNeeded = MeetingFrequency.allCases.firstIndex(of: .asNeeded)!
        if a == b { return 1 }
        if a == asNeeded || b == asNeeded { return 0.5 }
        return abs(a - b) == 1 ? 0.5 : 0
    }

    // MARK: Rules and scores

    @inline(__always) func isAbove(_ a: Int, _ b: Int) -> Bool { tourIn[a] < tourIn[b] && tourOut[b] < tourOut[a] }

    /// The hard rule a pair breaks, if any (capacity is the solver's business).
    func ruleBroken(mentee e: Int, mentor m: Int) -> BrokenRule? {
        let person = Int(menteePerson[e]), mentor = Int(mentorPerson[m])
        if person == mentor { return .samePerson }
        if isAbove(mentor, person) { return .mentorManagesMentee }
        if isAbove(person, mentor) { return .menteeManagesMentor }
        if options.excludeSameDepartment, department[person] >= 0, department[person] == department[mentor] { return .sameDepartment }
        if exclusions[e].contains(Int32(m)) { return .excluded }
        return nil
    }

    @inline(__always) static func overlap(_ a: UnsafeMutablePointer<UInt64>, _ b: UnsafeMutablePointer<UInt64>, _ words: Int) -> Int {
        var count = 0
        for word in 0..<words { count &+= (a[word] & b[word]).nonzeroBitCount }
        return count
    }

    /// The score of a pair in millionths, rules not checked.
    @inline(__always) func score(mentee e: Int, mentor m: Int) -> Int64 {
        let a = Int(menteePerson[e]), b = Int(mentorPerson[m])
        var total: Int64 = 0
        let development = Int(developmentCount[a])
        if development > 0 {
            let shared = Self.overlap(developmentBits + a * skillWords, expertiseBits + b * skillWords, skillWords)
            total &+= complementTable[development * tableRow + shared]
        }
        let interestMin = Int(min(interestCount[a], interestCount[b]))
        if interestMin > 0 {
            total &+= interestTable[interestMin * tableRow + Self.overlap(interestBits + a * interestWords, interestBits + b * interestWords, interestWords)]
        }
        let valueMin = Int(min(valueCount[a], valueCount[b]))
        if valueMin > 0 {
            total &+= valueTable[valueMin * tableRow + Self.overlap(valueBits + a * valueWords, valueBits + b * valueWords, valueWords)]
        }
        total &+= timezoneTable[Int(timezoneIndex[a]) * zoneCount + Int(timezoneIndex[b])]
        if languageCount[a] == 0 || languageCount[b] == 0 {
            total &+= languageUnknown
        } else if Self.overlap(languageBits + a * languageWords, languageBits + b * languageWords, languageWords) > 0 {
            total &+= languageShared
        }
        total &+= frequencyTable[Int(frequencyCode[a]) * Self.frequencyCodes + Int(frequencyCode[b])]
        let menteeYears = years[a], mentorYears = years[b]
        if menteeYears == Self.unknownYears || mentorYears == Self.unknownYears {
            total &+= experienceUnknown
        } else {
            total &+= experienceTable[Int(min(max(mentorYears - menteeYears, -1), 8)) + 1]
        }
        return min(total, ScoreUnits.perOne)
    }

    /// The score if the pair is allowed, or nil.
    func eligibleScore(mentee e: Int, mentor m: Int) -> Int64? {
        guard ruleBroken(mentee: e, mentor: m) == nil else { return nil }
        let value = score(mentee: e, mentor: m)
        return value >= minimumScore ? value : nil
    }
}

/// A hard rule a pair breaks.
public enum BrokenRule: String, Sendable, Equatable {
    case samePerson, mentorManagesMentee, menteeManagesMentor, sameDepartment, excluded, belowMinimumScore, notAMentor, notAMentee

    public var sentence: String {
        switch self {
        case .samePerson: "Nobody mentors themselves."
        case .mentorManagesMentee: "The mentor is in the mentee's reporting line (their manager, or above): mentoring is not supervision."
        case .menteeManagesMentor: "The mentee manages the mentor, directly or not: mentoring is not supervision."
        case .sameDepartment: "This run does not pair people from the same department."
        case .excluded: "A program manager excluded this pair."
        case .belowMinimumScore: "The pair scores below this run's minimum score."
        case .notAMentor: "The mentor does not mentor in this run (role, or no capacity)."
        case .notAMentee: "The mentee is not looking for a mentor in this run."
        }
    }
}
