/// bf16 and f16 are stored as raw 16-bit patterns (Swift has no BFloat16 type) and widened to f32 for math.
/// The bulk loops are written so that the compiler vectorizes them (see reference/machine.md §3).
public enum HalfPrecision {
    @inline(__always)
    public static func bf16ToFloat(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Round to nearest even, as PyTorch does; NaN stays a (quiet) NaN with its sign.
    @inline(__always)
    public static func floatToBF16(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x0040) }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }

    @inline(__always)
    public static func f16ToFloat(_ bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }

    @inline(__always)
    public static func floatToF16(_ value: Float) -> UInt16 {
        Float16(value).bitPattern
    }

    public static func bf16ToFloat(_ source: UnsafePointer<UInt16>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { destination[i] = Float(bitPattern: UInt32(source[i]) << 16) }
    }

    public static func floatToBF16(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<UInt16>, count: Int) {
        for i in 0..<count { destination[i] = floatToBF16(source[i]) }
    }

    public static func f16ToFloat(_ source: UnsafePointer<UInt16>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        let halves = UnsafeRawPointer(source).assumingMemoryBound(to: Float16.self)
        var i = 0
        while i + 16 <= count {
            let h = UnsafeRawPointer(halves + i).loadUnaligned(as: SIMD16<Float16>.self)
            UnsafeMutableRawPointer(destination + i).storeBytes(of: SIMD16<Float>(h), as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { destination[i] = Float(halves[i]); i += 1 }
    }

    public static func floatToF16(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<UInt16>, count: Int) {
        for i in 0..<count { destination[i] = Float16(source[i]).bitPattern }
    }
}
