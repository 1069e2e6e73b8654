/// Element-wise vector updates used between the matmuls (residual adds, scaling).
public enum Elementwise {
    /// y += x
    public static func add(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { store16(load16(y + i) + load16(x + i), y + i); i += 16 }
        while i < count { y[i] += x[i]; i += 1 }
    }

    /// y += alpha * x
    public static func addScaled(_ x: UnsafePointer<Float>, alpha: Float, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count {
            var v = load16(y + i)
            v.addProduct(load16(x + i), SIMD16<Float>(repeating: alpha))
            store16(v, y + i)
            i += 16
        }
        while i < count { y[i] += alpha * x[i]; i += 1 }
    }

    /// x *= alpha
    public static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
        var i = 0
        while i + 16 <= count { store16(load16(x + i) * alpha, x + i); i += 16 }
        while i < count { x[i] *= alpha; i += 1 }
    }
}
