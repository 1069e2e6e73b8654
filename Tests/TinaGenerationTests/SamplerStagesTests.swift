import Foundation
import Testing
import TinaCore
import TinaGeneration

/// Each stage on hand-computed rows: exact survivors and renormalized probabilities.
@Suite struct SamplerStagesTests {
    @Test func penaltiesFollowTransformersAndVLLM() throws {
        var row: [Float] = [2, -2, 1, 0.5, 4]
        let p = try SamplingParameters(repetitionPenalty: 2, presencePenalty: 0.25, frequencyPenalty: 0.5)
        // Prompt token 0; output tokens 1, 1, 3; id 99 is outside the row and ignored.
        let history = PenaltyHistory(prompt: [0, 99], output: [1, 1, 3])
        withMutableRow(&row) { SamplerStages.applyPenalties($0, count: 5, parameters: p, history: history) }
        // 0: 2/2 (prompt: repetition only); 1: -2*2 - (0.5*2 + 0.25); 2, 4: untouched; 3: 0.5/2 - (0.5 + 0.25).
        #expect(row == [1, -5.25, 1, -0.5, 4])
    }

    @Test func logitBiasAdds() {
        var row: [Float] = [1, 2, 3]
        withMutableRow(&row) { SamplerStages.applyLogitBias($0, count: 3, bias: [0: 5, 2: -10, 7: 1]) }
        #expect(row == [6, 2, -7])
    }

    @Test func greedyTakesTheFirstLargest() {
        #expect(withRow([1, 5, 5, -2]) { SamplerStages.greedy($0, count: 4) } == 1)
        #expect(withRow([-3]) { SamplerStages.greedy($0, count: 1) } == 0)
    }

    @Test func temperatureScalesLogits() {
        let c = withRow([1, 2, 0]) { SamplerStages.all($0, count: 3, temperature: 0.5) }
        #expect(c.ids == [0, 1, 2] && c.logits == [2, 4, 0])
        let e = [exp(2.0), exp(4.0), 1]
        #expect(close(c.probabilities, e.map { $0 / e.reduce(0, +) }))
    }

    @Test func topKKeepsTheKBestRenormalized() {
        let row = logits(of: [0.1, 0.4, 0.2, 0.3])
        let c = withRow(row) { SamplerStages.topK($0, count: 4, k: 2, temperature: 1) }
        #expect(c.ids == [1, 3] && c.bestFirst)
        #expect(close(c.probabilities, [4.0 / 7, 3.0 / 7]))
        // Temperature 2 flattens: the weights are sqrt of the probabilities.
        let hot = withRow(row) { SamplerStages.topK($0, count: 4, k: 2, temperature: 2) }
        #expect(close(hot.probabilities, [2 / (2 + 3.0.squareRoot()), 3.0.squareRoot() / (2 + 3.0.squareRoot())]))
    }

    @Test func topPKeepsTheShortestPrefixReachingP() {
        let row = logits(of: [0.125, 0.5, 0.125, 0.25])
        let sorted = withRow(row) { SamplerStages.topK($0, count: 4, k: 4, temperature: 1) }
        #expect(sorted.ids == [1, 3, 0, 2])
        for (p, ids, probs) in [(Float(0.3), [Int32(1)], [1.0]), (0.6, [1, 3], [2.0 / 3, 1.0 / 3]),
                                (0.8, [1, 3, 0], [0.5 / 0.875, 0.25 / 0.875, 0.125 / 0.875]), (1, [1, 3, 0, 2], [0.5, 0.25, 0.125, 0.125])] {
            let c = SamplerStages.topP(sorted, p: p)
            #expect(c.ids == ids, "p \(p)")
            #expect(close(c.probabilities, probs), "p \(p)")
            // Over the whole row without a top-k first: the same survivors.
            #expect(withRow(row) { SamplerStages.topP($0, count: 4, p: p, temperature: 1) }.ids == (p < 1 ? ids : [1, 3, 0, 2]))
        }
    }

    /// The doubling partial selection over a large row equals top-p after a full sort, at several p and
    /// temperatures (flat rows need several rounds of selection, peaked ones one).
    @Test func topPOverTheVocabularyEqualsFullSort() {
        var rng = Philox(seed: 5)
        let row = (0..<20_000).map { _ in 2 * rng.nextNormal() }
        withRow(row) { b in
            let sorted = PartialSelection.topByFullSort(b, count: row.count, k: row.count)
            for t: Float in [0.3, 1, 4] {
                let all = Candidates(ids: sorted, logits: sorted.map { b[Int($0)] / t }, bestFirst: true)
                for p: Float in [0.1, 0.5, 0.9, 0.99] {
                    let expected = SamplerStages.topP(all, p: p)
                    let got = SamplerStages.topP(b, count: row.count, p: p, temperature: t)
                    #expect(got == expected, "t \(t) p \(p): \(got.ids.count) vs \(expected.ids.count)")
                }
            }
        }
    }

    /// The whole-row draw (no candidate arrays) picks what min-p then the candidate draw pick, for known uniforms.
    @Test func wholeRowDrawEqualsCandidateDraw() {
        var rng = Philox(seed: 8)
        let row = (0..<3_000).map { _ in 3 * rng.nextNormal() }
        withRow(row) { b in
            for t: Float in [0.2, 1, 3] {
                for minP: Float in [0, 0.05, 0.5] {
                    let survivors = SamplerStages.minP(SamplerStages.all(b, count: row.count, temperature: t), p: minP)
                    for _ in 0..<200 {
                        let u = rng.nextUniform()
                        #expect(SamplerStages.drawWholeRow(b, count: row.count, temperature: t, minP: minP, u: u)
                                == SamplerStages.draw(survivors, u: u), "t \(t) min-p \(minP) u \(u)")
                    }
                }
            }
        }
    }

    @Test func minPKeepsThoseWithinAFactorOfTheBest() {
        let c = withRow(logits(of: [0.125, 0.5, 0.125, 0.25])) { SamplerStages.all($0, count: 4, temperature: 1) }
        let kept = SamplerStages.minP(c, p: 0.3)
        #expect(kept.ids == [1, 3])
        #expect(close(kept.probabilities, [2.0 / 3, 1.0 / 3]))
        #expect(SamplerStages.minP(c, p: 0.2).ids == [0, 1, 2, 3])
        #expect(SamplerStages.minP(c, p: 1).ids == [1])
    }

    @Test func drawWalksTokenIdOrder() {
        // Probabilities 0.5 (id 7), 0.25 (id 2), 0.25 (id 9), given best first; the walk is 2, 7, 9.
        let c = Candidates(ids: [7, 2, 9], logits: logits(of: [0.5, 0.25, 0.25]), bestFirst: true)
        #expect(SamplerStages.draw(c, u: 0.1) == 2)
        #expect(SamplerStages.draw(c, u: 0.3) == 7)
        #expect(SamplerStages.draw(c, u: 0.7) == 7)
        #expect(SamplerStages.draw(c, u: 0.8) == 9)
        #expect(SamplerStages.draw(c, u: 0.99999994) == 9)
    }

    /// Exact counts from a fixed Philox stream: three equal logits split [0, 1) into thirds, so the token
    /// is floor(3u) of each known uniform, and the counts are those of the stream, not a statistical bound.
    @Test func drawCountsAreExactForAKnownStream() {
        let c = Candidates(ids: [4, 5, 6], logits: [1.5, 1.5, 1.5], bestFirst: false)
        var rng = Philox(seed: 2024), twin = Philox(seed: 2024)
        var counts = [0, 0, 0], expected = [0, 0, 0]
        for _ in 0..<30_000 {
            counts[SamplerStages.draw(c, u: rng.nextUniform()) - 4] += 1
            expected[Int(3 * Double(twin.nextUniform()))] += 1
        }
        #expect(counts == expected)
        #expect(counts.reduce(0, +) == 30_000 && counts.allSatisfy { $0 > 9_000 })
    }

    /// The same for unequal probabilities: each known uniform lands in the interval of the CDF that holds it.
    @Test func drawFollowsTheCDFOfTheSurvivors() {
        let probs = [0.1, 0.2, 0.3, 0.4]
        let c = Candidates(ids: [3, 2, 1, 0], logits: logits(of: probs.reversed()), bestFirst: true)
        var rng = Philox(seed: 77), twin = Philox(seed: 77)
        let cdf = [0.1, 0.3, 0.6, 1.0]
        for i in 0..<20_000 {
            let token = SamplerStages.draw(c, u: rng.nextUniform())
            let u = Double(twin.nextUniform())
            // Stay clear of the boundaries (1e-6 wide) where rounding of exp/log may legitimately differ.
            guard cdf.allSatisfy({ abs($0 - u) > 1e-6 }) else { continue }
            #expect(token == cdf.firstIndex(where: { u < $0 }), "draw \(i) u \(u)")
        }
    }
}
