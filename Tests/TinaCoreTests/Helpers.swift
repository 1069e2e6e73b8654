import TinaCore
@_exported import TinaTestSupport

/// Deterministic test vectors.
func randomFloats(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = Philox(seed: seed)
    return (0..<count).map { _ in (rng.nextUniform() * 2 - 1) * scale }
}
