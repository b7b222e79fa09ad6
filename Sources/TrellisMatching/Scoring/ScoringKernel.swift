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

    /// The place of the tag words in a record, in 64-bit words from its start, and its length.
    struct Layout: Sendable {
        let skills: Int, interests: Int, values: Int, languages: Int
        let skillWords: Int, interestWords: Int, valueWords: Int, languageWords: Int
        let stride: Int

        init(_ instance: PreparedInstance) {
            skillWords = instance.skillWords; interestWords = instance.interestWords
            valueWords = instance.valueWords; languageWords = instance.languageWords
            skills = Field.count / 2
            interests = skills + skillWords
            values = interests + interestWords
            languages = values + valueWords
            stride = languages + languageWords
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
        records = .allocate(capacity: words)
        records.initialize(repeating: 0, count: words)
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
        }
    }

    deinit { records.deallocate() }

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
    /// pair. The same arithmetic as `PreparedInstance.score`, on two records, with nothing called
    /// (`ScoringAgreementTests` compares them on every pair of randomised cohorts). `department`
    /// is the mentee's when the run keeps pairs out of one department, else `anyDepartment`;
    /// `excluded` the mentor slots excluded for this mentee, `mentorSlot` this mentor's.
    @inline(__always)
    func score(mentee: UnsafeMutablePointer<UInt64>, mentor: UnsafeMutablePointer<UInt64>, mentorSlot: Int32, tables: borrowing ScoringTables, excluded: [Int32], department: Int32) -> Int64 {
        typealias Field = ScoringKernel.Field
        @inline(__always) func field(_ record: UnsafeMutablePointer<UInt64>, _ index: Int) -> Int32 { ScoringKernel.field(record, index) }
        if field(mentor, Field.person) == field(mentee, Field.person) { return -1 }
        let menteeIn = field(mentee, Field.tourIn), menteeOut = field(mentee, Field.tourOut)
        let mentorIn = field(mentor, Field.tourIn), mentorOut = field(mentor, Field.tourOut)
        if (mentorIn < menteeIn && menteeOut < mentorOut) || (menteeIn < mentorIn && mentorOut < menteeOut) { return -1 }
        if department >= 0 && field(mentor, Field.department) == department { return -1 }
        if !excluded.isEmpty && excluded.contains(mentorSlot) { return -1 }
        let row = tables.row
        var score: Int64 = 0
        let development = Int(field(mentee, Field.skillCount))
        if development > 0 {
            var shared = 0
            for word in 0..<skillWords { shared &+= (mentee[skills &+ word] & mentor[skills &+ word]).nonzeroBitCount }
            score &+= tables.complement[development &* row &+ shared]
        }
        let interestMin = min(field(mentee, Field.interestCount), field(mentor, Field.interestCount))
        if interestMin > 0 {
            var shared = 0
            for word in 0..<interestWords { shared &+= (mentee[interests &+ word] & mentor[interests &+ word]).nonzeroBitCount }
            score &+= tables.interest[Int(interestMin) &* row &+ shared]
        }
        let valueMin = min(field(mentee, Field.valueCount), field(mentor, Field.valueCount))
        if valueMin > 0 {
            var shared = 0
            for word in 0..<valueWords { shared &+= (mentee[values &+ word] & mentor[values &+ word]).nonzeroBitCount }
            score &+= tables.value[Int(valueMin) &* row &+ shared]
        }
        score &+= tables.zones[Int(field(mentee, Field.zone)) &* tables.zoneCount &+ Int(field(mentor, Field.zone))]
        if field(mentee, Field.languageCount) == 0 || field(mentor, Field.languageCount) == 0 {
            score &+= tables.languageUnknown
        } else {
            var shared: UInt64 = 0
            for word in 0..<languageWords { shared |= mentee[languages &+ word] & mentor[languages &+ word] }
            if shared != 0 { score &+= tables.languageShared }
        }
        score &+= tables.frequency[Int(field(mentee, Field.frequency)) &* PreparedInstance.frequencyCodes &+ Int(field(mentor, Field.frequency))]
        let menteeYears = field(mentee, Field.years), mentorYears = field(mentor, Field.years)
        if menteeYears == PreparedInstance.unknownYears || mentorYears == PreparedInstance.unknownYears { score &+= tables.experienceUnknown }
        else { score &+= tables.experience[Int(min(max(mentorYears &- menteeYears, -1), 8)) &+ 1] }
        return min(score, ScoreUnits.perOne)
    }
}
