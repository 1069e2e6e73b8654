/// Vectorized exp for SIMD16<Float>: Cephes-style range reduction and a degree-6 polynomial
/// (max relative error about 2 ulp over the normal range); exp of -inf or anything below -87.3 is 0.
@inline(__always)
public func simdExp(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let upper = SIMD16<Float>(repeating: 88.72283)
    let lower = SIMD16<Float>(repeating: -87.33654)
    var clamped = x  // (pointwiseMin/Max are not vectorized; masked replaces are)
    clamped.replace(with: lower, where: x .< lower)
    clamped.replace(with: upper, where: x .> upper)
    // n = round(x / ln 2) by adding and subtracting 1.5 * 2^23: the sum's low mantissa bits then hold n.
    // (SIMD `rounded()` and Float -> Int32 lane conversion are not vectorized: 35x slower, measured.)
    let magic = SIMD16<Float>(repeating: 12_582_912)
    let shifted = clamped * 1.442_695_04 + magic
    let n = shifted - magic
    var r = clamped - n * 0.693_359_375
    r = r - n * -2.121_944_4e-4
    var p = SIMD16<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * r * r + r + 1
    let nBits = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
    var result = p * unsafeBitCast((nBits &+ 127) &<< 23, to: SIMD16<Float>.self)
    result.replace(with: 0, where: x .< lower)
    result.replace(with: .infinity, where: x .> upper)
    result.replace(with: x, where: x .!= x)  // NaN stays NaN
    return result
}

/// exp over a buffer (used by softmax and SiLU).
public func vectorExp(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 16 <= count { store16(simdExp(load16(input + i)), output + i); i += 16 }
    if i < count {
        var tail = SIMD16<Float>(repeating: 0)
        for j in i..<count { tail[j - i] = input[j] }
        let e = simdExp(tail)
        for j in i..<count { output[j] = e[j - i] }
    }
}
