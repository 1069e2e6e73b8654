/// The demo's problem sets. Train and held-out are difficulty levels 1-2, half and half; harder is level 3
/// (multipliers up to 9, values up to 300: bigger numbers than training ever saw). Neither evaluation split ever
/// shares an expression with train: an expression's text hashes into the held-out bucket or not, whatever the
/// seed, and train skips the bucket.
public enum DemoSplit: String, CaseIterable, Sendable {
    case train, heldOut = "held-out", harder

    /// (difficulty level, relative weight) drawn from.
    public var levels: [(level: Int, weight: Int)] {
        switch self {
        case .train, .heldOut: return [(1, 1), (2, 1)]
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
