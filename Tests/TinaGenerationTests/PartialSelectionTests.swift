import Foundation
import Testing
import TinaCore
import TinaGeneration

@Suite struct PartialSelectionTests {
    /// The heap selection equals the first k of a full sort (larger logit, then lower id), ties included.
    @Test func equalsFullSortWithTies() {
        var rng = Philox(seed: 11)
        for (count, coarse) in [(1, false), (7, true), (1000, true), (5000, false)] {
            // Coarse rows hold many equal logits, so the tie rule is exercised.
            let row = (0..<count).map { _ in coarse ? Float(rng.next32() % 8) : rng.nextNormal() }
            row.withUnsafeBufferPointer { b in
                guard let p = b.baseAddress else { return }
                for k in [0, 1, 2, 3, 50, count - 1, count, count + 5] {
                    #expect(PartialSelection.top(p, count: count, k: k) == PartialSelection.topByFullSort(p, count: count, k: k),
                            "count \(count) k \(k)")
                }
            }
        }
    }

    @Test func handPickedTies() {
        let row: [Float] = [0.1, 3, 2, 3, -1, 3]
        row.withUnsafeBufferPointer { b in
            guard let p = b.baseAddress else { return }
            #expect(PartialSelection.top(p, count: 6, k: 2) == [1, 3])
            #expect(PartialSelection.top(p, count: 6, k: 4) == [1, 3, 5, 2])
            #expect(PartialSelection.top(p, count: 6, k: -3) == [])
        }
    }
}
