/// The scoring pass's view of the mentors: every field a pair score needs, in flat buffers laid
/// out by position (mentor slot, or the order of the mentor blocks), so that scoring reads memory
/// in order and touches no reference counts.
struct ScoringKernel: ~Copyable, @unchecked Sendable {
    let mentorCount: Int
    let skillWords: Int, interestWords: Int, valueWords: Int, languageWords: Int
    let expertise: UnsafeMutablePointer<UInt64>
    let interests: UnsafeMutablePointer<UInt64>
    let values: UnsafeMutablePointer<UInt64>
    let languages: UnsafeMutablePointer<UInt64>
    /// Per mentor, `Field.count` Int32s in a row, at the offsets `Field` names.
    let fields: UnsafeMutablePointer<Int32>
    static let stride = Field.count

    /// Where each of a mentor's fields sits in their row of `fields` (codes as in `PreparedInstance`).
    enum Field {
        static let interestCount = 0, valueCount = 1, languageCount = 2, zone = 3, frequency = 4, years = 5
        static let department = 6, tourIn = 7, tourOut = 8, person = 9
        static let count = 10
    }

    /// The department code passed to `score` when the run allows pairs within a department
    /// (no department has it).
    static let anyDepartment: Int32 = -2

    /// Mentors at positions: `order[i]` is the mentor slot at position i (-1 leaves it empty);
    /// by default position = slot.
    init(_ instance: PreparedInstance, order: [Int32]? = nil) {
        let order = order ?? instance.mentorPerson.indices.map(Int32.init)
        let mentorPerson = order.map { $0 < 0 ? Int32(-1) : instance.mentorPerson[Int($0)] }
        mentorCount = mentorPerson.count
        skillWords = instance.skillWords; interestWords = instance.interestWords
        valueWords = instance.valueWords; languageWords = instance.languageWords
        func gather(_ source: UnsafeMutablePointer<UInt64>, _ words: Int) -> UnsafeMutablePointer<UInt64> {
            let target = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, mentorPerson.count * words))
            target.initialize(repeating: 0, count: max(1, mentorPerson.count * words))
            for (m, person) in mentorPerson.enumerated() where person >= 0 {
                (target + m * words).update(from: source + Int(person) * words, count: words)
            }
            return target
        }
        expertise = gather(instance.expertiseBits, skillWords)
        interests = gather(instance.interestBits, interestWords)
        values = gather(instance.valueBits, valueWords)
        languages = gather(instance.languageBits, languageWords)
        fields = .allocate(capacity: max(1, mentorCount * Self.stride))
        fields.initialize(repeating: 0, count: max(1, mentorCount * Self.stride))
        for (m, person32) in mentorPerson.enumerated() where person32 >= 0 {
            let p = Int(person32), base = fields + m * Self.stride
            base[Field.interestCount] = instance.interestCount[p]; base[Field.valueCount] = instance.valueCount[p]
            base[Field.languageCount] = instance.languageCount[p]; base[Field.zone] = instance.timezoneIndex[p]
            base[Field.frequency] = instance.frequencyCode[p]; base[Field.years] = instance.years[p]
            base[Field.department] = instance.department[p]; base[Field.tourIn] = instance.tourIn[p]
            base[Field.tourOut] = instance.tourOut[p]; base[Field.person] = person32
        }
    }

    deinit {
        expertise.deallocate(); interests.deallocate(); values.deallocate(); languages.deallocate(); fields.deallocate()
    }
}

/// Tables and the mentee's own data, hoisted out of the inner loop.
struct MenteeView: @unchecked Sendable {
    let person: Int32
    let tourIn: Int32, tourOut: Int32, department: Int32
    let development: UnsafeMutablePointer<UInt64>
    let interests: UnsafeMutablePointer<UInt64>, interestCount: Int32
    let values: UnsafeMutablePointer<UInt64>, valueCount: Int32
    let languages: UnsafeMutablePointer<UInt64>, languageCount: Int32
    let years: Int32
    /// Contribution rows for this mentee.
    let complementRow: UnsafePointer<Int64>?
    let zoneRow: UnsafePointer<Int64>
    let frequencyRow: UnsafePointer<Int64>
}
