/// Register-blocked bf16 x f32 dot products for batched decode GEMV: two weight rows share every activation
/// load and four activation rows share every weight load. Weights use the even/odd word
/// trick of `Dot.bf16`; activations come arranged by `EvenOdd.interleave`. Tails (K not a multiple of the block)
/// are finished with scalar code on the original activations.
enum BF16Blocks {
    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Two weight rows against four activation rows; row j's dot with x_r is added to `out[r * stride + j]`.
    @inline(__always)
    static func block2x4(_ w0: UnsafePointer<UInt16>, _ w1: UnsafePointer<UInt16>,
                         paired: UnsafePointer<Float>, x: UnsafePointer<Float>, count: Int, xStride: Int,
                         out: UnsafeMutablePointer<Float>, stride: Int) {
        let r0 = UnsafeRawPointer(w0), r1 = UnsafeRawPointer(w1)
        let mask = SIMD8<UInt32>(repeating: 0xFFFF_0000)
        // Activation row r starts at paired + r * xStride.
        let x0 = paired, x1 = paired + xStride, x2 = paired + 2 * xStride, x3 = paired + 3 * xStride
        var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a02 = SIMD8<Float>(), a03 = SIMD8<Float>()
        var a10 = SIMD8<Float>(), a11 = SIMD8<Float>(), a12 = SIMD8<Float>(), a13 = SIMD8<Float>()
        var i = 0
        // Only whole 32-element blocks are interleaved; 16-element steps stay inside them.
        let blocked = count / 32 * 32
        while i + 16 <= blocked {
            // Even elements of i..<i+16 sit at block start + (i % 32) / 2, odd ones 16 further.
            let e = (i & ~31) + (i & 31) / 2, o = e + 16
            let u0 = r0.loadUnaligned(fromByteOffset: i &* 2, as: SIMD8<UInt32>.self)
            let u1 = r1.loadUnaligned(fromByteOffset: i &* 2, as: SIMD8<UInt32>.self)
            let we0 = unsafeBitCast(u0 &<< 16, to: SIMD8<Float>.self), wo0 = unsafeBitCast(u0 & mask, to: SIMD8<Float>.self)
            let we1 = unsafeBitCast(u1 &<< 16, to: SIMD8<Float>.self), wo1 = unsafeBitCast(u1 & mask, to: SIMD8<Float>.self)
            var xe = load8(x0 + e), xo = load8(x0 + o)
            a00.addProduct(we0, xe); a00.addProduct(wo0, xo); a10.addProduct(we1, xe); a10.addProduct(wo1, xo)
            xe = load8(x1 + e); xo = load8(x1 + o)
            a01.addProduct(we0, xe); a01.addProduct(wo0, xo); a11.addProduct(we1, xe); a11.addProduct(wo1, xo)
            xe = load8(x2 + e); xo = load8(x2 + o)
            a02.addProduct(we0, xe); a02.addProduct(wo0, xo); a12.addProduct(we1, xe); a12.addProduct(wo1, xo)
            xe = load8(x3 + e); xo = load8(x3 + o)
            a03.addProduct(we0, xe); a03.addProduct(wo0, xo); a13.addProduct(we1, xe); a13.addProduct(wo1, xo)
            i += 16
        }
        var sums = SIMD8<Float>(a00.sum(), a01.sum(), a02.sum(), a03.sum(), a10.sum(), a11.sum(), a12.sum(), a13.sum())
        while i < count {
            let v0 = HalfPrecision.bf16ToFloat(w0[i]), v1 = HalfPrecision.bf16ToFloat(w1[i])
            for r in 0..<4 {
                sums[r] += v0 * x[r * xStride + i]
                sums[4 + r] += v1 * x[r * xStride + i]
            }
            i += 1
        }
        for r in 0..<4 {
            out[r * stride] += sums[r]
            out[r * stride + 1] += sums[4 + r]
        }
    }
}

