import Foundation
import TinaCore

/// A byte-pair-encoding model: a vocabulary and ranked merges. A word (one pre-tokenized piece, already
/// byte-level mapped) starts as its characters; the lowest-ranked adjacent pair present in the merges is
/// merged (leftmost first) until no pair can be merged, as HF tokenizers' `Word::merge_all` does.
public final class BPE: @unchecked Sendable {
    public let vocab: [String: Int]
    /// Token string for each id (empty for ids not in the vocabulary).
    public let tokens: [String]
    /// (left id, right id) packed into 64 bits -> (rank, merged id).
    let merges: [UInt64: (rank: Int, id: Int)]
    public let ignoreMerges: Bool
    public let byteFallback: Bool
    public let unknownID: Int?
    private var cache: [String: [Int]] = [:]
    private let lock = NSLock()
    static let cacheLimit = 100_000
    /// Largest vocabulary id accepted (real vocabularies stay under 300,000 ids).
    public static let maxTokenID = 1 << 24

    /// `merges` are pairs of token strings in rank order.
    public init(vocab: [String: Int], merges: [(String, String)], ignoreMerges: Bool = false,
                byteFallback: Bool = false, unknownToken: String? = nil, source: String) throws {
        self.vocab = vocab
        // The id table is as long as the largest id: a hostile id (1e11) must be refused, not allocated.
        for (token, id) in vocab where id < 0 || id >= Self.maxTokenID {
            throw TinaError.malformed(source: source, reason: "vocab entry '\(token)' has id \(id), outside 0..<\(Self.maxTokenID)")
        }
        let maxID = vocab.values.max() ?? -1
        var tokens = [String](repeating: "", count: maxID + 1)
        for (token, id) in vocab { tokens[id] = token }
        self.tokens = tokens
        var table: [UInt64: (rank: Int, id: Int)] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (a, b)) in merges.enumerated() {
            guard let left = vocab[a], let right = vocab[b] else {
                throw TinaError.malformed(source: source, reason: "merge \(rank) ('\(a)' '\(b)') uses a token missing from the vocab")
            }
            guard let merged = vocab[a + b] else {
                throw TinaError.malformed(source: source, reason: "merge \(rank) ('\(a)' '\(b)') makes '\(a + b)', which is not in the vocab")
            }
            let key = UInt64(left) << 32 | UInt64(right)
            if table[key] == nil { table[key] = (rank, merged) }
        }
        self.merges = table
        self.ignoreMerges = ignoreMerges
        self.byteFallback = byteFallback
        if let unknownToken {
            guard let id = vocab[unknownToken] else {
                throw TinaError.malformed(source: source, reason: "unk_token '\(unknownToken)' is not in the vocab")
            }
            unknownID = id
        } else {
            unknownID = nil
        }
    }

    /// Token ids of one word.
    public func encode(word: String) -> [Int] {
        lock.lock()
        if let hit = cache[word] { lock.unlock(); return hit }
        lock.unlock()
        let ids = merge(word)
        lock.lock()
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[word] = ids
        lock.unlock()
        return ids
    }

    private func merge(_ word: String) -> [Int] {
        if ignoreMerges, let id = vocab[word] { return [id] }
        var symbols: [Int] = []
        symbols.reserveCapacity(word.unicodeScalars.count)
        for scalar in word.unicodeScalars {
            if let id = vocab[String(scalar)] {
                symbols.append(id)
            } else if byteFallback {
                for byte in String(scalar).utf8 {
                    if let id = vocab[String(format: "<0x%02X>", byte)] { symbols.append(id) } else if let unk = unknownID { symbols.append(unk) }
                }
            } else if let unk = unknownID {
                if symbols.last != unk { symbols.append(unk) }  // consecutive unknowns fuse only with fuse_unk; kept simple
            }
        }
        while symbols.count > 1 {
            var bestRank = Int.max, bestAt = -1, bestID = 0
            for i in 0..<(symbols.count - 1) {
                if let m = merges[UInt64(symbols[i]) << 32 | UInt64(symbols[i + 1])], m.rank < bestRank {
                    bestRank = m.rank; bestAt = i; bestID = m.id
                }
            }
            if bestAt < 0 { break }
            symbols[bestAt] = bestID
            symbols.remove(at: bestAt + 1)
        }
        return symbols
    }
}
