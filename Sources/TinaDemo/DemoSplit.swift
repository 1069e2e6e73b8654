/// The demo's problem sets. Train and held-out share one distribution (difficulty levels 1-2) and never share an
/// expression: which of the two an expression belongs to is a hash of its text, whatever the seed. Harder has
/// more steps and bigger numbers (level 3), to see whether what RL teaches generalizes.
public enum DemoSplit: String, CaseIterable, Sendable {
    case train, heldOut = "held-out", harder

    /// The difficulty levels drawn from, uniformly.
    public var levels: [Int] {
        switch self {
        case .train, .heldOut: return [1, 2]
        case .harder: return [3]
        }
    }

    /// Philox stream of the split, so splits drawn with one seed are independent.
    var stream: UInt64 {
        switch self {
        case .train: return 1
        case .heldOut: return 2
        case .harder: return 3
        }
    }
}
