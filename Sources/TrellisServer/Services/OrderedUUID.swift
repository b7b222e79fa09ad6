import Foundation
import NIOConcurrencyHelpers

/// Time-ordered UUIDs (RFC 9562 version 7: 48 bits of milliseconds, then a counter and random
/// bits). Rows created together get neighbouring ids, so a bulk insert appends to the end of the
/// primary-key index instead of touching a random page per row — an import of 100,000 people
/// writes over a million tag rows.
enum OrderedUUID {
    private static let state = NIOLockedValueBox<(milliseconds: UInt64, counter: UInt64)>((0, 0))

    static func make(now: Date = Date()) -> UUID {
        make(now: now, random: .random(in: .min ... .max))
    }

    /// Random bits for many ids made together (an import's tags): one draw from the system
    /// stretched by SplitMix64, where a draw for each id was a system call each. The bits only
    /// keep ids made in the same millisecond by two processes apart; nothing relies on them being
    /// unpredictable.
    struct Bits {
        private var state = UInt64.random(in: .min ... .max)

        mutating func next() -> UInt32 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt32(truncatingIfNeeded: (z ^ (z >> 31)) >> 32)
        }
    }

    /// An id with its 32 random bits given (`Bits`).
    static func make(now: Date = Date(), random: UInt32) -> UUID {
        let (milliseconds, counter) = state.withLockedValue { state -> (UInt64, UInt64) in
            let current = UInt64(max(0, now.timeIntervalSince1970 * 1000))
            if current > state.milliseconds {
                state = (current, UInt64.random(in: 0..<(1 << 20)))
            } else {
                state.counter += 1  // same millisecond (or the clock went back): keep counting
            }
            return state
        }
        // 12 bits of counter after the version nibble, 30 more after the variant bits: 42 bits;
        // then the 32 random bits.
        func byte(_ value: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> shift) }
        return UUID(uuid: (
            byte(milliseconds, 40), byte(milliseconds, 32), byte(milliseconds, 24), byte(milliseconds, 16), byte(milliseconds, 8), byte(milliseconds, 0),
            0x70 | (byte(counter, 38) & 0x0F), byte(counter, 30), 0x80 | (byte(counter, 24) & 0x3F), byte(counter, 16), byte(counter, 8), byte(counter, 0),
            byte(UInt64(random), 24), byte(UInt64(random), 16), byte(UInt64(random), 8), byte(UInt64(random), 0)
        ))
    }
}
