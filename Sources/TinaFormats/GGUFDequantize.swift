import TinaCore

/// Widening of GGML block formats to f32, following ggml-quants.c `dequantize_row_*` exactly
/// (checked against gguf-py's numpy dequantization in Tests/Fixtures/gguf).
public enum GGUFDequantize {
    /// Writes `count` f32 values decoded from `bytes` (which must hold exactly `count` elements of `type`).
    public static func toFloat(_ bytes: UnsafeRawBufferPointer, type: GGMLType, count: Int,
                               into out: UnsafeMutablePointer<Float>, what: String) throws {
        guard type.isKnown, count % type.blockElements == 0,
              bytes.count == count / type.blockElements * type.blockBytes else {
            throw TinaError.malformed(source: what, reason: "\(bytes.count) bytes do not hold \(count) \(type.name) elements")
        }
        guard count > 0, let base = bytes.baseAddress else { return }
        let blocks = count / type.blockElements
        let args = UnsafeSendable((base, out))
        func perBlock(_ decode: @escaping @Sendable (UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void) {
            Parallel.forChunks(of: blocks, minChunk: 4096) { range in
                let (base, out) = args.value
                for b in range { decode(base + b * type.blockBytes, out + b * type.blockElements) }
            }
        }
        switch type {
        case .f32: out.update(from: base.assumingMemoryBound(to: Float.self), count: count)
        case .f64: for i in 0..<count { out[i] = Float(base.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
        case .f16: for i in 0..<count { out[i] = HalfPrecision.f16ToFloat(base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .bf16: for i in 0..<count { out[i] = HalfPrecision.bf16ToFloat(base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .i8: for i in 0..<count { out[i] = Float(base.load(fromByteOffset: i, as: Int8.self)) }
        case .i16: for i in 0..<count { out[i] = Float(base.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)) }
        case .i32: for i in 0..<count { out[i] = Float(base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) }
        case .q8_0: perBlock(q8_0)
        case .q4_0: perBlock(q4_0)
        case .q4_1: perBlock(q4_1)
        case .q5_0: perBlock(q5_0)
        case .q5_1: perBlock(q5_1)
        case .q4_K: perBlock(q4_K)
        case .q5_K: perBlock(q5_K)
        case .q6_K: perBlock(q6_K)
        default:
            throw TinaError.unsupported(source: what, reason: "dequantization of \(type.name) is not implemented")
        }
    }

    @inline(__always) static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        HalfPrecision.f16ToFloat(p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always) static func byte(_ p: UnsafeRawPointer, _ offset: Int) -> Int {
        Int(p.load(fromByteOffset: offset, as: UInt8.self))
    }

    /// 32 values: f16 scale d, 32 x int8 q. y = d * q
    static func q8_0(_ block: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(block, 0)
        for j in 0..<32 { y[j] = d * Float(block.load(fromByteOffset: 2 + j, as: Int8.self)) }
    }

    /// 32 values: f16 d, 16 bytes of nibbles (low nibbles are elements 0-15, high 16-31). y = d * (q - 8)
    static func q4_0(_ block: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(block, 0)
        for j in 0..<16 {
            let q = byte(block, 2 + j)
            y[j] = d * Float((q & 0xF) - 8)
            y[j + 16] = d * Float((q >> 4) - 8)
        }
    }

    /// 32 values: f16 d, f16 m, 16 bytes of nibbles. y = d * q + m
    static func q4_1(_ block: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(block, 0), m = half(block, 2)
        for j in 0..<16 {
            let q = byte(block, 4 + j)
            y[j] = d * Float(q & 0xF) + m
            y[j + 16] = d * Float(q >> 4) + m
        }
    }

    /// 32 values: f16 d, u32 of fifth bits, 16 bytes of nibbles. y = d * (q - 16)
    static func q5_0(_ block: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(block, 0)
        let qh = Int(block.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        for j in 0..<16 {
            let q = byte(block, 6 + j)
            let h0 = ((qh >> j) << 4) & 0x10, h1 = (qh >> (j + 12)) & 0x10
            y[j] = d * Float(((q & 0xF) | h0) - 16)
            y[j + 16] = d * Float(((q >> 4) | h1) - 16)
        }
    }

    /// 32 values: f16 d, f16 m, u32 of fifth bits, 16 bytes of nibbles. y = d * q + m
    static func q5_1(_ block: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(block, 0), m = half(block, 2)
        let qh = Int(block.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        for j in 0..<16 {
            let q = byte(block, 8 + j)
            let h0 = ((qh >> j) << 4) & 0x10, h1 = (qh >> (j + 12)) & 0x10
            y[j] = d * Float((q & 0xF) | h0) + m
            y[j + 16] = d * Float((q >> 4) | h1) + m
        }
    }

    /// 6-bit scale and min number `j` of the 12 packed bytes of a Q4_K/Q5_K block (ggml `get_scale_min_k4`).
    @inline(__always) static func scaleMin(_ j: Int, _ s: UnsafeRawPointer) -> (Float, Float) {
        if j < 4 {
            return (Float(byte(s, j) & 63), Float(byte(s, j + 4) & 63))
        }
        let scale = (byte(s, j + 4) & 0xF) | ((byte(s, j - 4) >> 6) << 4)
        let min = (byte(s, j + 4) >> 4) | ((byte(s, j) >> 6) << 4)
        return (Float(scale), Float(min))
    }

    /// 256 values: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles, in 4 groups of 64.
    static func q4_K(_ block: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(block, 0), dmin = half(block, 2)
        let scales = block + 4, q = block + 16
        for group in 0..<4 {
            let (s1, m1) = scaleMin(2 * group, scales), (s2, m2) = scaleMin(2 * group + 1, scales)
            let d1 = d * s1, d2 = d * s2, n1 = dmin * m1, n2 = dmin * m2
            for l in 0..<32 {
                let v = byte(q, 32 * group + l)
                y[64 * group + l] = d1 * Float(v & 0xF) - n1
                y[64 * group + 32 + l] = d2 * Float(v >> 4) - n2
            }
        }
    }

    /// 256 values: f16 d, f16 dmin, 12 bytes of scales/mins, 32 bytes of fifth bits, 128 bytes of nibbles.
    static func q5_K(_ block: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(block, 0), dmin = half(block, 2)
        let scales = block + 4, qh = block + 16, ql = block + 48
        for group in 0..<4 {
            let (s1, m1) = scaleMin(2 * group, scales), (s2, m2) = scaleMin(2 * group + 1, scales)
            let d1 = d * s1, d2 = d * s2, n1 = dmin * m1, n2 = dmin * m2
            let bit1 = 1 << (2 * group), bit2 = 2 << (2 * group)
            for l in 0..<32 {
                let v = byte(ql, 32 * group + l), h = byte(qh, l)
                y[64 * group + l] = d1 * Float((v & 0xF) + (h & bit1 != 0 ? 16 : 0)) - n1
                y[64 * group + 32 + l] = d2 * Float((v >> 4) + (h & bit2 != 0 ? 16 : 0)) - n2
            }
        }
    }

    /// 256 values: 128 bytes low nibbles, 64 bytes high 2-bit pairs, 16 int8 scales, f16 d; two halves of 128.
    static func q6_K(_ block: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(block, 208)
        for half in 0..<2 {
            let ql = block + 64 * half, qh = block + 128 + 32 * half, sc = block + 192 + 8 * half
            let out = y + 128 * half
            for l in 0..<32 {
                let group = l / 16
                let h = byte(qh, l)
                let q1 = ((byte(ql, l) & 0xF) | ((h & 3) << 4)) - 32
                let q2 = ((byte(ql, l + 32) & 0xF) | (((h >> 2) & 3) << 4)) - 32
                let q3 = ((byte(ql, l) >> 4) | (((h >> 4) & 3) << 4)) - 32
                let q4 = ((byte(ql, l + 32) >> 4) | (((h >> 6) & 3) << 4)) - 32
                func scale(_ k: Int) -> Float { Float(sc.load(fromByteOffset: group + k, as: Int8.self)) }
                out[l] = d * scale(0) * Float(q1)
                out[l + 32] = d * scale(2) * Float(q2)
                out[l + 64] = d * scale(4) * Float(q3)
                out[l + 96] = d * scale(6) * Float(q4)
            }
        }
    }
}
