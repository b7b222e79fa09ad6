import Foundation
import NIOConcurrencyHelpers

/// Time-ordered UUIDs (RFC 9562 version 7: 48 bits of milliseconds, then a counter and random
/// bits). Rows created together get neighbouring ids, so a bulk insert appends to the end of the
/// primary-key index instead of touching a random page per row — an import of 100,000 people
/// writes over a million tag rows.
enum OrderedUUID {
    private static let state = NIOLockedValueBox<(milliseconds: UInt64, counter: UInt64)>((0, 0))

    static func make(now: Date = Date()) -> UUID {
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
        // then 32 random bits, drawn at once (each draw asks the system: an import makes a
        // million and a half of these).
        let random = UInt32.random(in: .min ... .max)
        func byte(_ value: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> shift) }
        return UUID(uuid: (
            byte(milliseconds, 40), byte(milliseconds, 32), byte(milliseconds, 24), byte(milliseconds, 16), byte(milliseconds, 8), byte(milliseconds, 0),
            0x70 | (byte(counter, 38) & 0x0F), byte(counter, 30), 0x80 | (byte(counter, 24) & 0x3F), byte(counter, 16), byte(counter, 8), byte(counter, 0),
            byte(UInt64(random), 24), byte(UInt64(random), 16), byte(UInt64(random), 8), byte(UInt64(random), 0)
        ))
    }
}
