/// SplitMix64: a small, seedable random source for the generated test cases (the normalizer's fuzz
/// target, the JSON text-versus-tree comparison). Deterministic, so a failing case number reproduces.
public struct SeededRandom: Sendable {
    private var state: UInt64

    /// Starts the sequence at `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// A number in `0..<bound`.
    public mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }

    /// One of `choices`.
    public mutating func pick<T>(_ choices: [T]) -> T { choices[next(choices.count)] }

    /// True `percent` times in a hundred.
    public mutating func chance(_ percent: Int) -> Bool { next(100) < percent }
}
