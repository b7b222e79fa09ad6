/// The scoring pass's view of the mentors: every field a pair score needs, in flat buffers laid
/// out by position (mentor slot, or the order of the mentor blocks), so that scoring reads memory
/// in order and touches no reference counts.
struct ScoringKernel: @unchecked Sendable {
    let mentorCount: Int
    let skillWords: Int, interestWords: Int, valueWords: Int, languageWords: Int
    let expertise: UnsafeMutablePointer<UInt64>
    let interests: UnsafeMutablePointer<UInt64>
    let values: UnsafeMutablePointer<UInt64>
    let languages: UnsafeMutablePointer<UInt64>
    /// Per mentor: interest count, value count, language count, zone, frequency, years,
    /// department, tour in, tour out, person — ten Int32s in a row.
    let fields: UnsafeMutablePointer<Int32>
    static let stride = 10

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
            base[0] = instance.interestCount[p]; base[1] = instance.valueCount[p]; base[2] = instance.languageCount[p]
            base[3] = instance.timezoneIndex[p]; base[4] = instance.frequencyCode[p]; base[5] = instance.years[p]
            base[6] = instance.department[p]; base[7] = instance.tourIn[p]; base[8] = instance.tourOut[p]; base[9] = person32
        }
    }

    func release() {
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
