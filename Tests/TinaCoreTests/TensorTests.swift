import Testing
import TinaCore

@Suite struct TensorTests {
    @Test func viewsShareStorage() throws {
        let t = try Tensor(shape: [3, 4], values: (0..<12).map(Float.init))
        let r = try t.reshaped([4, 3])
        let middle = try t.rows(1..<2)
        #expect(middle.shape == [1, 4])
        #expect(try middle.toArray() == [4, 5, 6, 7])
        middle.floats[0] = 40
        #expect(try t.toArray()[4] == 40)
        #expect(r.floats[4] == 40)
    }

    @Test func conversionRoundTrip() throws {
        let values: [Float] = [1, -2.5, 0.15625, 3e-3, 65504, -0.0]
        let t = try Tensor(shape: [2, 3], values: values)
        #expect(try t.converted(to: .bf16).converted(to: .f32).toArray() == values.map { HalfPrecision.bf16ToFloat(HalfPrecision.floatToBF16($0)) })
        #expect(try t.converted(to: .f16).toArray() == values.map { Float(Float16($0)) })
    }

    @Test func invalidShapesAreErrors() throws {
        #expect(throws: TinaError.self) { try Tensor(zeros: [-1, 3]) }
        #expect(throws: TinaError.self) { try Tensor(zeros: [Int.max, 3]) }
        #expect(throws: TinaError.self) { try Tensor(shape: [2, 2], values: [1, 2, 3]) }
        let t = try Tensor(zeros: [2, 3])
        #expect(throws: TinaError.self) { try t.reshaped([4, 2]) }
        #expect(throws: TinaError.self) { try t.rows(1..<3) }
        #expect(throws: TinaError.self) { try Tensor(storage: t.storage, byteOffset: 8, dtype: .f32, shape: [6]) }
    }
}
