/// The demo's problem sets. Train mixes difficulty levels 1-3 (mostly 1-2); held-out is levels 1-2, harder is
/// level 3 (one step more than most of train). Neither evaluation split ever shares an expression with train:
/// an expression's text hashes into the held-out bucket or not, whatever the seed, and train skips the bucket.
public enum DemoSplit: String, CaseIterable, Sendable {
    case train, heldOut = "held-out", harder

    /// (difficulty level, probability) drawn from.
    public var levels: [(level: Int, weight: Double)] {
        switch self {
        // Level 3 is rare in train: the base sees four-step problems, but too seldom to be good at them.
        case .train: return [(1, 0.4), (2, 0.45), (3, 0.15)]
        case .heldOut: return [(1, 0.47), (2, 0.53)]
        case .harder: return [(3, 1)]
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
