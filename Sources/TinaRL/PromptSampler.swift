import Foundation
import TinaCore

/// Where the sampler stands: prompts already handed out in the current pass, and passes completed. Saved with a
/// checkpoint, it lets a resumed run continue with exactly the prompts an uninterrupted run would have drawn.
public struct SamplerCursor: Codable, Equatable, Sendable {
    /// Completed passes over the dataset.
    public var epoch: Int
    /// Prompts handed out in the current pass.
    public var position: Int
    /// The dataset size and seed the orders were drawn for; resuming with others is refused.
    public var datasetSize: Int
    public var seed: UInt64

    public init(epoch: Int = 0, position: Int = 0, datasetSize: Int, seed: UInt64) {
        self.epoch = epoch
        self.position = position
        self.datasetSize = datasetSize
        self.seed = seed
    }
}

/// Hands out dataset indices in a fresh random order each pass (like TRL's sampler, which reshuffles each epoch).
/// Pass e's order is a Fisher-Yates shuffle driven by Philox(seed, stream: e), so it depends only on
/// (seed, e, dataset size) and a cursor is enough to resume. A request that runs past the end of a pass
/// continues into the next one (no short batches). TRL draws from torch's generator, so the orders differ from
/// TRL's; the statistics do not.
public struct PromptSampler: Sendable {
    public private(set) var cursor: SamplerCursor
    private var order: [Int]

    public init(datasetSize: Int, seed: UInt64) throws {
        try self.init(resuming: SamplerCursor(datasetSize: datasetSize, seed: seed), datasetSize: datasetSize, seed: seed)
    }

    /// Continues from a saved cursor; the dataset size and seed must be those it was saved with.
    public init(resuming cursor: SamplerCursor, datasetSize: Int, seed: UInt64) throws {
        guard datasetSize > 0 else { throw TinaError.invalidArgument("the sampler needs a non-empty dataset") }
        guard cursor.datasetSize == datasetSize, cursor.seed == seed else {
            throw TinaError.invalidArgument("cannot resume the data order: it was saved for \(cursor.datasetSize) prompts with "
                + "seed \(cursor.seed), this run has \(datasetSize) prompts with seed \(seed)")
        }
        guard cursor.epoch >= 0, (0..<datasetSize).contains(cursor.position) else {
            throw TinaError.invalidArgument("the saved data cursor (epoch \(cursor.epoch), position \(cursor.position)) is out of range")
        }
        self.cursor = cursor
        order = Self.order(epoch: cursor.epoch, count: datasetSize, seed: seed)
    }

    /// The next `count` indices.
    public mutating func next(_ count: Int) -> [Int] {
        var indices: [Int] = []
        indices.reserveCapacity(count)
        while indices.count < count {
            let take = min(count - indices.count, order.count - cursor.position)
            indices += order[cursor.position..<(cursor.position + take)]
            cursor.position += take
            if cursor.position == order.count {
                cursor.epoch += 1
                cursor.position = 0
                order = Self.order(epoch: cursor.epoch, count: order.count, seed: cursor.seed)
            }
        }
        return indices
    }

    /// The next `count` examples of `dataset` (which must be the one the sampler was made for).
    public mutating func next(_ count: Int, from dataset: GRPODataset) -> [GRPOExample] {
        next(count).map { dataset.examples[$0] }
    }

    /// Pass `epoch`'s permutation of 0..<count.
    public static func order(epoch: Int, count: Int, seed: UInt64) -> [Int] {
        var rng = Philox(seed: seed, stream: UInt64(epoch))
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            order.swapAt(i, Int(uniform(below: UInt64(i + 1), using: &rng)))
            i -= 1
        }
        return order
    }

    /// Uniform in 0..<bound without modulo bias (Lemire's multiply-shift with rejection), written out so the
    /// orders do not depend on the standard library's algorithm.
    static func uniform(below bound: UInt64, using rng: inout Philox) -> UInt64 {
        let threshold = (0 &- bound) % bound
        while true {
            let product = rng.next().multipliedFullWidth(by: bound)
            if product.low >= threshold { return product.high }
        }
    }
}
