import Testing
import TinaCore

@Suite struct HalfPrecisionTests {
    @Test func bf16KnownPatterns() {
        #expect(HalfPrecision.floatToBF16(1.0) == 0x3F80)
        #expect(HalfPrecision.floatToBF16(-2.0) == 0xC000)
        #expect(HalfPrecision.floatToBF16(.infinity) == 0x7F80)
        #expect(HalfPrecision.bf16ToFloat(0x3F80) == 1.0)
        #expect(HalfPrecision.bf16ToFloat(0x4049) == 3.140625)
        #expect(HalfPrecision.bf16ToFloat(HalfPrecision.floatToBF16(.nan)).isNaN)
    }

    @Test func bf16RoundsToNearestEven() {
        // 0x3F808000 lies halfway between 0x3F80 and 0x3F81: ties go to the even pattern.
        #expect(HalfPrecision.floatToBF16(Float(bitPattern: 0x3F80_8000)) == 0x3F80)
        #expect(HalfPrecision.floatToBF16(Float(bitPattern: 0x3F81_8000)) == 0x3F82)
        #expect(HalfPrecision.floatToBF16(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(HalfPrecision.floatToBF16(Float(bitPattern: 0x3F80_7FFF)) == 0x3F80)
        // Rounding up past the largest finite value gives infinity, as in PyTorch.
        #expect(HalfPrecision.floatToBF16(Float(bitPattern: 0x7F7F_FFFF)) == 0x7F80)
    }

    @Test func f16KnownPatterns() {
        #expect(HalfPrecision.floatToF16(1.0) == 0x3C00)
        #expect(HalfPrecision.floatToF16(65504) == 0x7BFF)
        #expect(HalfPrecision.floatToF16(1e6) == 0x7C00)
        #expect(HalfPrecision.f16ToFloat(0x0001) == Float(bitPattern: 0x3380_0000))  // smallest subnormal 2^-24
        #expect(HalfPrecision.f16ToFloat(0xC000) == -2)
    }

    @Test(arguments: [1, 15, 16, 17, 100, 1537])
    func bulkConversionsMatchScalar(count: Int) {
        let values = randomFloats(count, seed: UInt64(count), scale: 100)
        var bf = [UInt16](repeating: 0, count: count), f16 = [UInt16](repeating: 0, count: count)
        var back = [Float](repeating: 0, count: count), back16 = [Float](repeating: 0, count: count)
        values.withUnsafeBufferPointer { v in
            bf.withUnsafeMutableBufferPointer { HalfPrecision.floatToBF16(v.baseAddress!, $0.baseAddress!, count: count) }
            f16.withUnsafeMutableBufferPointer { HalfPrecision.floatToF16(v.baseAddress!, $0.baseAddress!, count: count) }
        }
        bf.withUnsafeBufferPointer { b in back.withUnsafeMutableBufferPointer { HalfPrecision.bf16ToFloat(b.baseAddress!, $0.baseAddress!, count: count) } }
        f16.withUnsafeBufferPointer { b in back16.withUnsafeMutableBufferPointer { HalfPrecision.f16ToFloat(b.baseAddress!, $0.baseAddress!, count: count) } }
        for i in 0..<count {
            #expect(bf[i] == HalfPrecision.floatToBF16(values[i]))
            #expect(back[i] == HalfPrecision.bf16ToFloat(bf[i]))
            #expect(back16[i] == Float(Float16(values[i])))
            // bf16 keeps 8 significant bits: rounding error is at most half an ulp, 2^-8 relative.
            #expect(abs(back[i] - values[i]) <= abs(values[i]) * 0.003_906_25)
        }
    }
}
