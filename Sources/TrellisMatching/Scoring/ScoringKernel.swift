/// What scoring a pair needs to know about the participants of one side, one record per position
/// (a slot, or a place in the blocks of the bounded pass): the fields first, then the tag words,
/// in one buffer. Scoring a pair reads the start of two records (one or two cache lines each,
/// where four or five separate arrays had cost a line each) and touches no reference counts.
///
/// Mentees and mentors have the same layout; a mentee's skill words are its development areas,
/// a mentor's their expertise.
struct ScoringKernel: ~Copyable, @unchecked Sendable {
    /// Where each field sits in a record, in Int32s from its start (codes as in `PreparedInstance`).
    enum Field {
        static let person = 0, tourIn = 1, tourOut = 2, department = 3, interestCount = 4, valueCount = 5
        static let languageCount = 6, zone = 7, frequency = 8, years = 9, skillCount = 10
        /// Int32s before the tag words (an even number, so the words are aligned).
        static let count = 12
    }

    /// The department code passed to `score` when the run allows pairs within a department
    /// (no department has it).
    static let anyDepartment: Int32 = -2

    let count: Int
    let layout: Layout
    let records: UnsafeMutablePointer<UInt64>
    /// Per position, what a score needs beyond the tags shared and the hard rules, in 32 bytes:
    /// the bounded pass scores a lane from these and its counters, and reads the lane's record
    /// (for the hard rules) only when the score would enter the row's list.
    let facts: UnsafeMutablePointer<Facts>

    /// What a pair's score needs of one side beyond the skills, interests and values it shares.
    struct Facts {
        /// The first word of the language bits: all of them when `Layout.languageWords` ≤ 1.
        var languages: UInt64 = 0
        var years: Int32 = PreparedInstance.unknownYears
        /// `zone << 3 | frequency`.
        var code: Int32 = 0
        /// Development areas (mentees; 0 for mentors), interests, values and languages listed.
        var skillCount: Int32 = 0, interestCount: Int32 = 0, valueCount: Int32 = 0, languageCount: Int32 = 0
    }

    /// The place of the tag words in a record, in 64-bit words from its start, and its length.
    /// Languages come first, so that the fields and (for up to 64 languages) the language word
    /// share a record's first cache line, which is all the bounded pass reads of a record for the
    /// hard rules (it scores from its counters and `Facts`, except with more than 64 languages or
    /// a row longer than its counters count). Records are whole cache lines.
    struct Layout: Sendable {
        let skills: Int, interests: Int, values: Int, languages: Int
        let skillWords: Int, interestWords: Int, valueWords: Int, languageWords: Int
        let stride: Int
        static let lineWords = 8

        init(_ instance: PreparedInstance) {
            skillWords = instance.skillWords; interestWords = instance.interestWords
            valueWords = instance.valueWords; languageWords = instance.languageWords
            languages = Field.count / 2
            skills = languages + languageWords
            interests = skills + skillWords
            values = interests + interestWords
            let end = values + valueWords
            stride = (end + Self.lineWords - 1) / Self.lineWords * Self.lineWords
        }
    }

    /// Records of one side's participants at positions: `order[i]` is the slot at position i
    /// (-1 leaves it empty: no person, no tags); by default position = slot.
    init(_ instance: PreparedInstance, mentors: Bool, order: [Int32]? = nil) {
        let people = mentors ? instance.mentorPerson : instance.menteePerson
        let order = order ?? people.indices.map(Int32.init)
        layout = Layout(instance)
        count = order.count
        let words = max(1, count) * layout.stride
        records = UnsafeMutableRawPointer.allocate(byteCount: words * 8, alignment: Layout.lineWords * 8)
            .initializeMemory(as: UInt64.self, repeating: 0, count: words)
        facts = .allocate(capacity: max(1, count))
        facts.initialize(repeating: Facts(), count: max(1, count))
        let skillBits = mentors ? instance.expertiseBits : instance.developmentBits
        for (position, slot) in order.enumerated() {
            let record = records + position * layout.stride
            let raw = UnsafeMutableRawPointer(record)
            func set(_ field: Int, _ value: Int32) { raw.storeBytes(of: value, toByteOffset: field * 4, as: Int32.self) }
            guard slot >= 0 else { set(Field.person, -1); continue }
            let p = Int(people[Int(slot)])
            set(Field.person, Int32(p)); set(Field.tourIn, instance.tourIn[p]); set(Field.tourOut, instance.tourOut[p])
            set(Field.department, instance.department[p]); set(Field.interestCount, instance.interestCount[p])
            set(Field.valueCount, instance.valueCount[p]); set(Field.languageCount, instance.languageCount[p])
            set(Field.zone, instance.timezoneIndex[p]); set(Field.frequency, instance.frequencyCode[p])
            set(Field.years, instance.years[p]); set(Field.skillCount, mentors ? 0 : instance.developmentCount[p])
            (record + layout.skills).update(from: skillBits + p * layout.skillWords, count: layout.skillWords)
            (record + layout.interests).update(from: instance.interestBits + p * layout.interestWords, count: layout.interestWords)
            (record + layout.values).update(from: instance.valueBits + p * layout.valueWords, count: layout.valueWords)
            (record + layout.languages).update(from: instance.languageBits + p * layout.languageWords, count: layout.languageWords)
            facts[position] = layout.facts(record)
        }
    }

    deinit { UnsafeMutableRawPointer(records).deallocate(); facts.deallocate() }

    /// The record at `position`.
    @inline(__always)
    func record(_ position: Int) -> UnsafeMutablePointer<UInt64> { records + position &* layout.stride }

    /// The department `Layout.score` is to keep a mentee's mentors out of: the mentee's own when
    /// the run keeps pairs out of one department, else `anyDepartment`.
    @inline(__always)
    static func departmentRule(mentee record: UnsafeMutablePointer<UInt64>, excludeSameDepartment: Bool) -> Int32 {
        excludeSameDepartment ? field(record, Field.department) : anyDepartment
    }

    /// A field of a record.
    @inline(__always)
    static func field(_ record: UnsafeMutablePointer<UInt64>, _ field: Int) -> Int32 {
        UnsafeRawPointer(record).load(fromByteOffset: field &* 4, as: Int32.self)
    }
}

extension ScoringKernel.Layout {
    /// The score of one mentee and one mentor in millionths, or -1 where a hard rule forbids the
    /// pair. The same arithmetic as `PreparedInstance.score`, on two records: the shared counts are
    /// worked out here and `ScoringKernel.score` adds them up, everything inlined
    /// (`ScoringAgreementTests` compares them on every pair of randomised cohorts). `department`
    /// is the mentee's when the run keeps pairs out of one department, else `anyDepartment`;
    /// `excluded` the mentor slots excluded for this mentee, `mentorSlot` this mentor's.
    @inline(__always)
    func score(mentee: UnsafeMutablePointer<UInt64>, mentor: UnsafeMutablePointer<UInt64>, mentorSlot: Int32, tables: borrowing ScoringTables, excluded: [Int32], department: Int32) -> Int64 {
        if forbids(mentee: mentee, mentor: mentor, mentorSlot: mentorSlot, excluded: excluded, department: department) { return -1 }
        return unforbiddenScore(mentee: mentee, mentor: mentor, tables: tables)
    }

    /// The words of a record that its scores depend on: the fields from `Field.interestCount` on
    /// (the counts, time zone, frequency and years) and every tag word. Two records with the same
    /// words score alike with anyone; the words before hold the person and the hard rules.
    var scoringWords: Range<Int> { ScoringKernel.Field.interestCount / 2..<(values + valueWords) }

    /// The score of a pair as if no hard rule forbade it.
    @inline(__always)
    func unforbiddenScore(mentee: UnsafeMutablePointer<UInt64>, mentor: UnsafeMutablePointer<UInt64>, tables: borrowing ScoringTables) -> Int64 {
        var skillsShared = 0, interestsShared = 0, valuesShared = 0
        for word in 0..<skillWords { skillsShared &+= (mentee[skills &+ word] & mentor[skills &+ word]).nonzeroBitCount }
        for word in 0..<interestWords { interestsShared &+= (mentee[interests &+ word] & mentor[interests &+ word]).nonzeroBitCount }
        for word in 0..<valueWords { valuesShared &+= (mentee[values &+ word] & mentor[values &+ word]).nonzeroBitCount }
        var languageShared: UInt64 = 0
        for word in 0..<languageWords { languageShared |= mentee[languages &+ word] & mentor[languages &+ word] }
        return ScoringKernel.score(
            mentee: facts(mentee), mentor: facts(mentor), tables: tables,
            skillsShared: skillsShared, interestsShared: interestsShared, valuesShared: valuesShared, languageShared: languageShared != 0
        )
    }

    /// Whether a pair's language is shared can be read from the facts alone (at most one word of languages).
    var languagesInFacts: Bool { languageWords <= 1 }

    /// A record's facts.
    @inline(__always)
    func facts(_ record: UnsafeMutablePointer<UInt64>) -> ScoringKernel.Facts {
        typealias Field = ScoringKernel.Field
        @inline(__always) func field(_ index: Int) -> Int32 { ScoringKernel.field(record, index) }
        return ScoringKernel.Facts(
            languages: languageWords > 0 ? record[languages] : 0, years: field(Field.years),
            code: field(Field.zone) << 3 | field(Field.frequency),
            skillCount: field(Field.skillCount), interestCount: field(Field.interestCount),
            valueCount: field(Field.valueCount), languageCount: field(Field.languageCount)
        )
    }

    /// Whether a hard rule forbids the pair (arguments as for `score`).
    @inline(__always)
    func forbids(mentee: UnsafeMutablePointer<UInt64>, mentor: UnsafeMutablePointer<UInt64>, mentorSlot: Int32, excluded: [Int32], department: Int32) -> Bool {
        typealias Field = ScoringKernel.Field
        @inline(__always) func field(_ record: UnsafeMutablePointer<UInt64>, _ index: Int) -> Int32 { ScoringKernel.field(record, index) }
        if field(mentor, Field.person) == field(mentee, Field.person) { return true }
        let menteeIn = field(mentee, Field.tourIn), menteeOut = field(mentee, Field.tourOut)
        let mentorIn = field(mentor, Field.tourIn), mentorOut = field(mentor, Field.tourOut)
        if (mentorIn < menteeIn && menteeOut < mentorOut) || (menteeIn < mentorIn && mentorOut < menteeOut) { return true }
        if department >= 0 && field(mentor, Field.department) == department { return true }
        if !excluded.isEmpty && excluded.contains(mentorSlot) { return true }
        return false
    }

}

extension ScoringKernel {
    /// The same from the facts alone, the language shared read off their language words: for a
    /// run whose languages fit in one word (`Layout.languagesInFacts`), as the bounded pass has it.
    @inline(__always)
    static func score(mentee: Facts, mentor: Facts, tables: borrowing ScoringTables, skillsShared: Int, interestsShared: Int, valuesShared: Int) -> Int64 {
        score(
            mentee: mentee, mentor: mentor, tables: tables, skillsShared: skillsShared, interestsShared: interestsShared,
            valuesShared: valuesShared, languageShared: mentee.languages & mentor.languages != 0
        )
    }

    /// The score of a pair that no hard rule forbids, from each side's facts and how many skills
    /// (the mentee's development areas among the mentor's expertise), interests and values they
    /// share, and whether they share a language: the one place of the arithmetic, which the
    /// bounded pass calls with what its counters counted and `Layout.score` with what it finds in
    /// two records.
    @inline(__always)
    static func score(mentee: Facts, mentor: Facts, tables: borrowing ScoringTables, skillsShared: Int, interestsShared: Int, valuesShared: Int, languageShared: Bool) -> Int64 {
        let row = tables.row
        var score: Int64 = 0
        let development = Int(mentee.skillCount)
        if development > 0 { score &+= tables.complement[development &* row &+ skillsShared] }
        let interestMin = min(mentee.interestCount, mentor.interestCount)
        if interestMin > 0 { score &+= tables.interest[Int(interestMin) &* row &+ interestsShared] }
        let valueMin = min(mentee.valueCount, mentor.valueCount)
        if valueMin > 0 { score &+= tables.value[Int(valueMin) &* row &+ valuesShared] }
        score &+= tables.zones[Int(mentee.code &>> 3) &* tables.zoneCount &+ Int(mentor.code &>> 3)]
        if mentee.languageCount == 0 || mentor.languageCount == 0 { score &+= tables.languageUnknown }
        else if languageShared { score &+= tables.languageShared }
        score &+= tables.frequency[Int(mentee.code & 7) &* PreparedInstance.frequencyCodes &+ Int(mentor.code & 7)]
        if mentee.years == PreparedInstance.unknownYears || mentor.years == PreparedInstance.unknownYears { score &+= tables.experienceUnknown }
        else { score &+= tables.experience[Int(min(max(mentor.years &- mentee.years, -1), 8)) &+ 1] }
        return min(score, ScoreUnits.perOne)
    }
}
