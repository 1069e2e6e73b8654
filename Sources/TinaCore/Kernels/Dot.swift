/// Dot products: f32 x f32, and bf16 weights x f32 activations (the decode hot path).
public enum Dot {
    /// sum_i a[i] * b[i], four SIMD16 accumulators.
    @inline(__always)
    public static func f32(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var i = 0
        while i + 64 <= count {
            s0.addProduct(load16(a + i), load16(b + i))
            s1.addProduct(load16(a + i + 16), load16(b + i + 16))
            s2.addProduct(load16(a + i + 32), load16(b + i + 32))
            s3.addProduct(load16(a + i + 48), load16(b + i + 48))
            i += 64
        }
        while i + 16 <= count {
            s0.addProduct(load16(a + i), load16(b + i))
            i += 16
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum()
        while i < count { sum += a[i] * b[i]; i += 1 }
        return sum
    }
}

extension Dot {
    /// sum_i bf16(w[i]) * x[i] (the decode hot path). 32 bf16 weights load as 16 UInt32 words: `word << 16`
    /// is the even element and `word & 0xFFFF0000` the odd one, which avoids widening UInt16 lanes (the
    /// compiler does not inline that; reference/machine.md section 3). x comes pre-arranged by
    /// `EvenOdd.interleave` (per block of 32: the 16 even elements, then the 16 odd ones), so activations
    /// are one contiguous stream beside the weights; the tail past the last full block uses x itself.
    @inline(__always)
    public static func bf16(_ w: UnsafePointer<UInt16>, paired: UnsafePointer<Float>, x: UnsafePointer<Float>,
                            count: Int) -> Float {
        let raw = UnsafeRawPointer(w)
        let highMask = SIMD16<UInt32>(repeating: 0xFFFF_0000)
        var e0 = SIMD16<Float>(), o0 = SIMD16<Float>(), e1 = SIMD16<Float>(), o1 = SIMD16<Float>()
        var i = 0
        while i + 64 <= count {
            let u0 = raw.loadUnaligned(fromByteOffset: i &* 2, as: SIMD16<UInt32>.self)
            let u1 = raw.loadUnaligned(fromByteOffset: i &* 2 &+ 64, as: SIMD16<UInt32>.self)
            e0.addProduct(unsafeBitCast(u0 &<< 16, to: SIMD16<Float>.self), load16(paired + i))
            o0.addProduct(unsafeBitCast(u0 & highMask, to: SIMD16<Float>.self), load16(paired + i + 16))
            e1.addProduct(unsafeBitCast(u1 &<< 16, to: SIMD16<Float>.self), load16(paired + i + 32))
            o1.addProduct(unsafeBitCast(u1 & highMask, to: SIMD16<Float>.self), load16(paired + i + 48))
            i += 64
        }
        while i + 32 <= count {
            let u0 = raw.loadUnaligned(fromByteOffset: i &* 2, as: SIMD16<UInt32>.self)
            e0.addProduct(unsafeBitCast(u0 &<< 16, to: SIMD16<Float>.self), load16(paired + i))
            o0.addProduct(unsafeBitCast(u0 & highMask, to: SIMD16<Float>.self), load16(paired + i + 16))
            i += 32
        }
        var sum = ((e0 + o0) + (e1 + o1)).sum()
        while i < count { sum += HalfPrecision.bf16ToFloat(w[i]) * x[i]; i += 1 }
        return sum
    }
}

/// Activation layout for bf16 dot products.
public enum EvenOdd {
    /// Arranges x for `Dot.bf16(_:paired:x:count:)`: every full block of 32 elements becomes its 16 even
    /// elements followed by its 16 odd ones. `paired` needs room for `count` floats; the tail is left as is.
    public static func interleave(_ x: UnsafePointer<Float>, count: Int, paired: UnsafeMutablePointer<Float>) {
        var block = 0
        while block + 32 <= count {
            for j in 0..<16 {
                paired[block + j] = x[block + 2 * j]
                paired[block + 16 + j] = x[block + 2 * j + 1]
            }
            block += 32
        }
    }
}
