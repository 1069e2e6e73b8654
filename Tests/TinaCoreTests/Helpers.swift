import TinaCore

/// Deterministic test vectors.
func randomFloats(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = Philox(seed: seed)
    return (0..<count).map { _ in (rng.nextUniform() * 2 - 1) * scale }
}

/// Largest |a - b| / max(1, |b|) over two arrays (a mixed absolute/relative error).
func maxScaledError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "test arrays differ in length")
    var worst: Float = 0
    for i in a.indices {
        let e = abs(a[i] - b[i]) / max(1, abs(b[i]))
        if e.isNaN { return .infinity }
        worst = max(worst, e)
    }
    return worst
}
