/// A small deterministic random number generator (SplitMix64), so that demo data and synthetic
/// benchmark instances are the same on every machine and every run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A random element; the collection must not be empty.
    public mutating func pick<C: Collection>(_ items: C) -> C.Element {
        items[items.index(items.startIndex, offsetBy: Int.random(in: 0..<items.count, using: &self))]
    }

    /// `count` distinct elements, in random order (fewer if the collection is smaller).
    public mutating func sample<T>(_ items: [T], count: Int) -> [T] {
        Array(items.shuffled(using: &self).prefix(count))
    }
}
