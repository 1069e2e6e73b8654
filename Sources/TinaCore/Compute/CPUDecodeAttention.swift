/// Attention of one new token (a decode step) against a bf16 KV cache, one task per (sequence, KV head): each
/// query head's scores are dot products with keys widened in registers, a softmax, then a sum of widened value
/// rows, with no copy of the cache. The tile path widened every visible key and value row of the head into scratch
/// first and made per-row calls (SmolLM2 GRPO rollout, 16 sequences of ~100 positions: 238 us per layer call).
/// bf16 words are widened with the even/odd trick of `Dot.bf16` (a 32-bit word holds two bf16 values: `<< 16` is
/// the even one, `& 0xFFFF0000` the odd one), so the query is arranged by `EvenOdd.interleave` and the value sums
/// come out even/odd and are put back in order at the end. Rows of a shared prefix are read where they live. Scalar twin: `ScalarReference.attention`-style tests
/// compare it with the tile path over the widened cache (AttentionTests).
enum CPUDecodeAttention {
    /// Head sizes this kernel handles (whole 32-element blocks).
    static func supports(headDim: Int) -> Bool { headDim % 32 == 0 && headDim > 0 }

    /// `segments` each have one new token whose keys and values (bf16) are in the cache at position `start`.
    static func apply(q: UnsafePointer<Float>, segments: [CPUAttention.Segment], heads: Int, kvHeads: Int, headDim: Int,
                      out: UnsafeMutablePointer<Float>) {
        struct Task { let segment, kvHead, keys: Int }
        var tasks: [Task] = []
        for (index, s) in segments.enumerated() {
            for kvh in 0..<kvHeads { tasks.append(Task(segment: index, kvHead: kvh, keys: s.start + 1)) }
        }
        // Longest first, so the last tasks to finish are the cheapest.
        tasks.sort { $0.keys > $1.keys }
        let longest = tasks.first?.keys ?? 1
        let args = UnsafeSendable((q, out, segments, tasks))
        Parallel.forChunks(of: tasks.count, minChunk: 1) { range in
            let (q, out, segments, tasks) = args.value
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: longest)
            let paired = UnsafeMutablePointer<Float>.allocate(capacity: headDim)
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: headDim)
            defer { scores.deallocate(); paired.deallocate(); sums.deallocate() }
            let group = heads / kvHeads, qDim = heads * headDim, kvDim = kvHeads * headDim
            let scale = 1 / Float(headDim).squareRoot()
            for task in tasks[range] {
                let s = segments[task.segment]
                // Rows of this KV head: position j's, wherever it lives (a shared prefix or the sequence's own rows).
                let rows = HeadRows(segment: s, offset: task.kvHead * headDim, kvDim: kvDim)
                for h in 0..<group {
                    let head = task.kvHead * group + h
                    let qh = q + s.row * qDim + head * headDim
                    EvenOdd.interleave(qh, count: headDim, paired: paired)
                    var j = 0
                    while j + 8 <= task.keys {
                        let eight = scale * dots8(paired, rows, first: j, headDim: headDim)
                        UnsafeMutableRawPointer(scores + j).storeBytes(of: eight, as: SIMD8<Float>.self)
                        j += 8
                    }
                    while j < task.keys {
                        scores[j] = scale * dot(paired, rows.key(j), headDim: headDim).sum()
                        j += 1
                    }
                    Softmax.apply(scores, count: task.keys, output: scores)
                    weightedSum(rows, weights: scores, count: task.keys, headDim: headDim, into: sums)
                    let o = out + s.row * qDim + head * headDim
                    var block = 0
                    while block < headDim {
                        for i in 0..<16 {
                            o[block + 2 * i] = sums[block + i]
                            o[block + 2 * i + 1] = sums[block + 16 + i]
                        }
                        block += 32
                    }
                }
            }
        }
    }

    /// The 16 partial sums of q . key (their total is the dot product).
    @inline(__always)
    private static func dot(_ paired: UnsafePointer<Float>, _ key: UnsafePointer<UInt16>, headDim: Int) -> SIMD16<Float> {
        let raw = UnsafeRawPointer(key)
        let high = SIMD16<UInt32>(repeating: 0xFFFF_0000)
        var even = SIMD16<Float>(), odd = SIMD16<Float>()
        var block = 0
        while block < headDim {
            let u = raw.loadUnaligned(fromByteOffset: block &* 2, as: SIMD16<UInt32>.self)
            even.addProduct(load16(paired + block), unsafeBitCast(u &<< 16, to: SIMD16<Float>.self))
            odd.addProduct(load16(paired + block + 16), unsafeBitCast(u & high, to: SIMD16<Float>.self))
            block += 32
        }
        return even + odd
    }

    /// q . key for 8 consecutive keys. Each dot's 16 partial sums are folded together with the others' by halving
    /// shuffles (15 vector adds for all 8) instead of one horizontal sum per key, whose serial adds made a
    /// decode step's attention latency-bound (SmolLM2, 16 sequences of ~300 positions: 0.41 ms per layer call).
    @inline(__always)
    private static func dots8(_ paired: UnsafePointer<Float>, _ rows: HeadRows, first: Int, headDim: Int) -> SIMD8<Float> {
        @inline(__always) func half(_ j: Int) -> SIMD8<Float> {
            let v = dot(paired, rows.key(first + j), headDim: headDim)
            return v.lowHalf + v.highHalf
        }
        @inline(__always) func fold(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
            SIMD8(lowHalf: a.evenHalf, highHalf: b.evenHalf) + SIMD8(lowHalf: a.oddHalf, highHalf: b.oddHalf)
        }
        // After each fold, lanes hold partial sums of the keys in order (see the lane bookkeeping in fold's result:
        // first a's sums, then b's), so three rounds leave lane j = the whole dot of key j.
        let b0 = fold(half(0), half(1)), b1 = fold(half(2), half(3)), b2 = fold(half(4), half(5)), b3 = fold(half(6), half(7))
        return fold(fold(b0, b1), fold(b2, b3))
    }

    /// sums (even/odd arranged per 32-block) = sum_j weights[j] * values[j].
    @inline(__always)
    private static func weightedSum(_ rows: HeadRows, weights: UnsafePointer<Float>, count: Int,
                                    headDim: Int, into sums: UnsafeMutablePointer<Float>) {
        let high = SIMD16<UInt32>(repeating: 0xFFFF_0000)
        var block = 0
        while block < headDim {
            // Two keys per iteration into separate sums: one chain of dependent multiply-adds was latency-bound.
            var even = SIMD16<Float>(), odd = SIMD16<Float>(), even2 = SIMD16<Float>(), odd2 = SIMD16<Float>()
            @inline(__always) func row(_ j: Int) -> SIMD16<UInt32> {
                UnsafeRawPointer(rows.value(j)).loadUnaligned(fromByteOffset: block &* 2, as: SIMD16<UInt32>.self)
            }
            var j = 0
            while j + 2 <= count {
                let u = row(j), u2 = row(j + 1)
                let p = SIMD16<Float>(repeating: weights[j]), p2 = SIMD16<Float>(repeating: weights[j + 1])
                even.addProduct(p, unsafeBitCast(u &<< 16, to: SIMD16<Float>.self))
                odd.addProduct(p, unsafeBitCast(u & high, to: SIMD16<Float>.self))
                even2.addProduct(p2, unsafeBitCast(u2 &<< 16, to: SIMD16<Float>.self))
                odd2.addProduct(p2, unsafeBitCast(u2 & high, to: SIMD16<Float>.self))
                j += 2
            }
            if j < count {
                let u = row(j), p = SIMD16<Float>(repeating: weights[j])
                even.addProduct(p, unsafeBitCast(u &<< 16, to: SIMD16<Float>.self))
                odd.addProduct(p, unsafeBitCast(u & high, to: SIMD16<Float>.self))
            }
            store16(even + even2, sums + block)
            store16(odd + odd2, sums + block + 16)
            block += 32
        }
    }

    /// One KV head's bf16 key and value rows of a segment, by position.
    struct HeadRows {
        let segment: CPUAttention.Segment
        let offset, kvDim: Int
        @inline(__always) func key(_ j: Int) -> UnsafePointer<UInt16> {
            segment.row(j, keys: true, kvDim: kvDim).assumingMemoryBound(to: UInt16.self) + offset
        }
        @inline(__always) func value(_ j: Int) -> UnsafePointer<UInt16> {
            segment.row(j, keys: false, kvDim: kvDim).assumingMemoryBound(to: UInt16.self) + offset
        }
    }
}
