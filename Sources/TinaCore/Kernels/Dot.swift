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

    /// sum_i bf16(w[i]) * x[i], with x given pre-split into even and odd halves (`EvenOdd.split`).
    /// 32 bf16 weights load as 16 UInt32 words: `word << 16` is the even element, `word & 0xFFFF0000` the odd one.
    /// This avoids widening UInt16 lanes, which the compiler does not inline (reference/machine.md §3).
    @inline(__always)
    public static func bf16(_ w: UnsafePointer<UInt16>, even: UnsafePointer<Float>, odd: UnsafePointer<Float>,
                            x: UnsafePointer<Float>, count: Int) -> Float {
        let raw = UnsafeRawPointer(w)
        let highMask = SIMD16<UInt32>(repeating: 0xFFFF_0000)
        var e0 = SIMD16<Float>(), o0 = SIMD16<Float>(), e1 = SIMD16<Float>(), o1 = SIMD16<Float>()
        var i = 0
        while i + 64 <= count {
            let u0 = raw.loadUnaligned(fromByteOffset: i &* 2, as: SIMD16<UInt32>.self)
            let u1 = raw.loadUnaligned(fromByteOffset: i &* 2 &+ 64, as: SIMD16<UInt32>.self)
            let h = i >> 1
            e0.addProduct(unsafeBitCast(u0 &<< 16, to: SIMD16<Float>.self), load16(even + h))
            o0.addProduct(unsafeBitCast(u0 & highMask, to: SIMD16<Float>.self), load16(odd + h))
            e1.addProduct(unsafeBitCast(u1 &<< 16, to: SIMD16<Float>.self), load16(even + h + 16))
            o1.addProduct(unsafeBitCast(u1 & highMask, to: SIMD16<Float>.self), load16(odd + h + 16))
            i += 64
        }
        while i + 32 <= count {
            let u0 = raw.loadUnaligned(fromByteOffset: i &* 2, as: SIMD16<UInt32>.self)
            let h = i >> 1
            e0.addProduct(unsafeBitCast(u0 &<< 16, to: SIMD16<Float>.self), load16(even + h))
            o0.addProduct(unsafeBitCast(u0 & highMask, to: SIMD16<Float>.self), load16(odd + h))
            i += 32
        }
        var sum = ((e0 + o0) + (e1 + o1)).sum()
        while i < count { sum += HalfPrecision.bf16ToFloat(w[i]) * x[i]; i += 1 }
        return sum
    }
}

/// Even/odd de-interleaving of an activation vector, done once per GEMV so `Dot.bf16` can use word loads.
public enum EvenOdd {
    /// even[j] = x[2j], odd[j] = x[2j+1] for j < count/2.
    public static func split(_ x: UnsafePointer<Float>, count: Int,
                             even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>) {
        for j in 0..<(count / 2) {
            even[j] = x[2 * j]
            odd[j] = x[2 * j + 1]
        }
    }
}
