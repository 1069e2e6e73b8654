import Foundation

/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a counter-based
/// generator. A (seed, stream) pair fixes an independent sequence, so each sequence in a batch can draw from
/// its own stream and a completion never depends on what else is in the batch.
public struct Philox: RandomNumberGenerator, Sendable {
    public let key: (UInt32, UInt32)
    /// Counter words 2 and 3 hold the stream; words 0 and 1 count blocks within it.
    public private(set) var counter: (UInt32, UInt32, UInt32, UInt32)
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var buffered = 0

    public init(seed: UInt64, stream: UInt64 = 0) {
        key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        counter = (0, 0, UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32))
    }

    /// An independent generator for sub-stream `stream` of the same seed (e.g. one per sequence).
    public func split(stream: UInt64) -> Philox {
        Philox(seed: UInt64(key.1) << 32 | UInt64(key.0), stream: stream)
    }

    /// The raw block function: 10 rounds of Philox4x32 on `counter` under `key`.
    public static func block(counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 { k0 &+= 0x9E37_79B9; k1 &+= 0xBB67_AE85 }
            let p0 = UInt64(0xD251_1F53) * UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) * UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return (c0, c1, c2, c3)
    }

    public mutating func next32() -> UInt32 {
        if buffered == 0 {
            buffer = Philox.block(counter: counter, key: key)
            buffered = 4
            counter.0 &+= 1
            if counter.0 == 0 { counter.1 &+= 1 }
        }
        buffered -= 1
        switch buffered {
        case 3: return buffer.0
        case 2: return buffer.1
        case 1: return buffer.2
        default: return buffer.3
        }
    }

    public mutating func next() -> UInt64 {
        let low = UInt64(next32())
        return UInt64(next32()) << 32 | low
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next32() >> 8) * (1.0 / 16_777_216.0)
    }

    /// Standard normal draw (Box-Muller on two uniforms; the first uniform is kept away from 0).
    public mutating func nextNormal() -> Float {
        let u1 = (Double(next32()) + 1) / 4_294_967_297.0
        let u2 = Double(next32()) / 4_294_967_296.0
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
