/// Partial selection of the best logits without sorting the vocabulary: a bounded min-heap of the k best seen so
/// far, rooted at the worst of them. One pass over n logits costs n comparisons against the root plus
/// O(k log k · log(n/k)) replacements on typical rows, instead of the O(n log n) of a full sort.
/// Order is "larger logit first, then lower token id" everywhere, so ties are deterministic and the result
/// equals the first k of a full sort under the same order.
public enum PartialSelection {
    @inline(__always)
    static func better(_ a: Int32, _ la: Float, than b: Int32, _ lb: Float) -> Bool {
        la > lb || (la == lb && a < b)
    }

    /// Ids of the `k` best of `logits[0..<count]`, best first. `k` is clamped to `0...count`.
    public static func top(_ logits: UnsafePointer<Float>, count: Int, k: Int) -> [Int32] {
        let k = min(max(k, 0), count)
        guard k > 0 else { return [] }
        var ids = [Int32](unsafeUninitializedCapacity: k) { buffer, initialized in
            for i in 0..<k { buffer[i] = Int32(i) }
            initialized = k
        }
        var values = [Float](unsafeUninitializedCapacity: k) { buffer, initialized in
            for i in 0..<k { buffer[i] = logits[i] }
            initialized = k
        }
        ids.withUnsafeMutableBufferPointer { idp in
            values.withUnsafeMutableBufferPointer { vp in
                for start in stride(from: k / 2 - 1, through: 0, by: -1) { siftDown(start, k, idp, vp) }
                var rootValue = vp[0]
                var i = k
                // Blocks of 16 that hold nothing better than the root (almost all of them) cost a max over the block and one compare.
                while i + 16 <= count {
                    var a = logits[i], b = logits[i + 1], c = logits[i + 2], d = logits[i + 3]
                    for j in stride(from: i + 4, to: i + 16, by: 4) {
                        a = logits[j] > a ? logits[j] : a
                        b = logits[j + 1] > b ? logits[j + 1] : b
                        c = logits[j + 2] > c ? logits[j + 2] : c
                        d = logits[j + 3] > d ? logits[j + 3] : d
                    }
                    let ab = a > b ? a : b, cd = c > d ? c : d
                    if (ab > cd ? ab : cd) > rootValue {
                        for j in i..<(i + 16) where logits[j] > rootValue {
                            replaceRoot(j, logits[j], idp, vp, k)
                            rootValue = vp[0]
                        }
                    }
                    i += 16
                }
                while i < count {
                    // Every id in the heap is < i, so a tie never beats the root.
                    if logits[i] > rootValue {
                        replaceRoot(i, logits[i], idp, vp, k)
                        rootValue = vp[0]
                    }
                    i += 1
                }
            }
        }
        var order = Array(0..<k)
        order.sort { better(ids[$0], values[$0], than: ids[$1], values[$1]) }
        return order.map { ids[$0] }
    }

    @inline(__always)
    static func replaceRoot(_ id: Int, _ value: Float, _ ids: UnsafeMutableBufferPointer<Int32>,
                            _ values: UnsafeMutableBufferPointer<Float>, _ n: Int) {
        ids[0] = Int32(id)
        values[0] = value
        siftDown(0, n, ids, values)
    }

    /// Restores the min-heap (worst at the root) below `index`.
    @inline(__always)
    static func siftDown(_ index: Int, _ n: Int, _ ids: UnsafeMutableBufferPointer<Int32>, _ values: UnsafeMutableBufferPointer<Float>) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            guard left < n else { return }
            var worst = left
            let right = left + 1
            if right < n && better(ids[worst], values[worst], than: ids[right], values[right]) { worst = right }
            guard better(ids[parent], values[parent], than: ids[worst], values[worst]) else { return }
            ids.swapAt(parent, worst)
            values.swapAt(parent, worst)
            parent = worst
        }
    }

    /// The same result by sorting every id: the baseline of the benchmark and the oracle of the tests.
    public static func topByFullSort(_ logits: UnsafePointer<Float>, count: Int, k: Int) -> [Int32] {
        var order = (0..<Int32(count)).map { $0 }
        order.sort { better($0, logits[Int($0)], than: $1, logits[Int($1)]) }
        return Array(order.prefix(min(max(k, 0), count)))
    }
}
