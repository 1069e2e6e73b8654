import TinaCore

/// Keys and values of every layer for a set of sequences, [position, kvHeads * headDim] per layer, in tensors of
/// the model's backend (device memory on a GPU): bf16 for bf16 compute (half the memory and bandwidth; keys and
/// values are rounded as a bf16 model's k/v projections round them), f32 for the exact path.
/// Sequences grow on demand (capacity doubles) within a byte budget; `fork` lets G samples continue one prompt's
/// prefill: the fork reads the prompt's rows in place (shared, never copied) and owns only the rows it adds;
/// `truncate` rolls a sequence back. Not thread-safe: one owner drives it.
public final class KVCache: @unchecked Sendable {
    public let layerCount: Int
    public let kvDim: Int
    /// The most bytes the cache may hold; growing past it throws.
    public let maxBytes: Int
    /// .f32 or .bf16.
    public let dtype: DType
    public private(set) var bytesReserved = 0
    let backend: any ComputeBackend

    final class Sequence {
        /// Positions cached, the shared prefix included.
        var length = 0
        /// Rows of its own allocated (positions sharedLength ..< sharedLength + capacity).
        var capacity = 0
        /// [capacity, kvDim] per layer: its own rows.
        var keys: [Tensor] = []
        var values: [Tensor] = []
        /// A fork reads positions 0..<sharedLength from its parent's own rows.
        var parent: Sequence?
        var sharedLength = 0
        /// Live forks reading this sequence's rows, and the positions they rely on (it may not roll back below them).
        var forks = 0
        var pinnedLength = 0
        /// Its id was released while forks still read its rows: freed with the last of them.
        var released = false

        func free() {
            keys = []; values = []; capacity = 0
        }
    }

    private var sequences: [Int: Sequence] = [:]
    private var nextID = 0

    public init(layerCount: Int, kvDim: Int, maxBytes: Int, dtype: DType = .f32, backend: any ComputeBackend = CPUBackend.shared) {
        self.backend = backend
        self.dtype = dtype == .bf16 ? .bf16 : .f32
        self.layerCount = layerCount
        self.kvDim = kvDim
        self.maxBytes = maxBytes
    }

    /// Bytes one cached position takes over all layers (keys and values).
    public var bytesPerPosition: Int { 2 * layerCount * kvDim * dtype.byteSize }

    /// Starts an empty sequence and returns its id.
    public func newSequence() -> Int {
        nextID += 1
        sequences[nextID] = Sequence()
        return nextID
    }

    public var sequenceIDs: [Int] { sequences.keys.sorted() }

    public func length(of id: Int) throws -> Int { try sequence(id).length }

    /// Drops a sequence. Its memory goes now, or, while forks still read its rows, with the last of them.
    public func release(_ id: Int) {
        guard let s = sequences.removeValue(forKey: id) else { return }
        if s.forks > 0 { s.released = true } else { drop(s) }
    }

    private func drop(_ s: Sequence) {
        bytesReserved -= s.capacity * bytesPerPosition
        s.free()
        guard let parent = s.parent else { return }
        s.parent = nil
        parent.forks -= 1
        if parent.forks == 0 {
            parent.pinnedLength = 0
            if parent.released { drop(parent) }
        }
    }

    /// Forgets positions from `length` on. A sequence cannot roll back into positions it shares with forks (as
    /// their parent or as a fork).
    public func truncate(_ id: Int, to length: Int) throws {
        let s = try sequence(id)
        guard length >= 0, length <= s.length else {
            throw TinaError.invalidArgument("cannot truncate sequence \(id) of length \(s.length) to \(length)")
        }
        guard length >= s.sharedLength, s.forks == 0 || length >= s.pinnedLength else {
            throw TinaError.invalidArgument("cannot truncate sequence \(id) to \(length): its first \(max(s.sharedLength, s.pinnedLength)) positions are shared with forks (release them first)")
        }
        s.length = length
    }

    /// A new sequence that continues `id`'s cached positions, with room for `reserving` positions in all. The fork
    /// reads `id`'s rows where they are (no copy; `id` may grow but not roll back below them while the fork lives);
    /// a fork of a fork gets a copy of its positions.
    public func fork(_ id: Int, reserving: Int = 0) throws -> Int {
        let source = try sequence(id)
        let copy = newSequence()
        let target = try sequence(copy)
        let share = source.parent == nil && source.length > 0
        if share {
            target.parent = source
            target.sharedLength = source.length
            target.length = source.length
            source.forks += 1
            source.pinnedLength = max(source.pinnedLength, source.length)
        }
        do {
            try reserve(copy, positions: max(source.length, reserving))
        } catch {
            release(copy)
            throw error
        }
        if !share {
            for layer in 0..<layerCount {
                try copyPositions(0..<source.length, of: source, layer: layer, into: target.keys[layer], target.values[layer])
            }
            target.length = source.length
        }
        return copy
    }

    /// Positions `range` of `s` (shared prefix or own rows) into rows 0..<range.count of `keys` / `values`.
    private func copyPositions(_ range: Range<Int>, of s: Sequence, layer: Int, into keys: Tensor, _ values: Tensor) throws {
        let shared = range.clamped(to: 0..<s.sharedLength)
        if let parent = s.parent, !shared.isEmpty {
            try backend.copy(try parent.keys[layer].rows(shared), into: try keys.rows(0..<shared.count))
            try backend.copy(try parent.values[layer].rows(shared), into: try values.rows(0..<shared.count))
        }
        let own = range.clamped(to: s.sharedLength..<Int.max)
        guard !own.isEmpty else { return }
        let from = (own.lowerBound - s.sharedLength)..<(own.upperBound - s.sharedLength)
        let to = (own.lowerBound - range.lowerBound)..<(own.upperBound - range.lowerBound)
        try backend.copy(try s.keys[layer].rows(from), into: try keys.rows(to))
        try backend.copy(try s.values[layer].rows(from), into: try values.rows(to))
    }

    /// Makes room for `positions` positions in total (existing ones kept); throws past `maxBytes`.
    public func reserve(_ id: Int, positions: Int) throws {
        let s = try sequence(id)
        let own = positions - s.sharedLength
        guard own > s.capacity else { return }
        let capacity = max(own, min(2 * s.capacity, own + 4096), 16)
        try reserveExactly(s, id: id, capacity: capacity, positions: positions)
    }

    /// Bytes that `positions` positions of a sequence's own take (a fork's own positions exclude the shared prompt).
    public func bytes(positions: Int) -> Int { max(positions, 16) * bytesPerPosition }

    private func reserveExactly(_ s: Sequence, id: Int, capacity: Int, positions: Int) throws {
        let extra = (capacity - s.capacity) * bytesPerPosition
        guard bytesReserved + extra <= maxBytes else {
            throw TinaError.invalidArgument("KV cache budget exceeded: sequence \(id) needs \(positions) positions, \(bytesReserved + extra) bytes of \(maxBytes) allowed")
        }
        var keys: [Tensor] = [], values: [Tensor] = []
        let used = 0..<(s.length - s.sharedLength)
        for layer in 0..<layerCount {
            let k = try backend.zeros([capacity, kvDim], dtype: dtype)
            let v = try backend.zeros([capacity, kvDim], dtype: dtype)
            if !used.isEmpty {
                try backend.copy(try s.keys[layer].rows(used), into: try k.rows(used))
                try backend.copy(try s.values[layer].rows(used), into: try v.rows(used))
            }
            keys.append(k); values.append(v)
        }
        s.keys = keys
        s.values = values
        s.capacity = capacity
        bytesReserved += extra
    }

    func setLength(_ id: Int, _ length: Int) throws { try sequence(id).length = length }

    /// One layer of a sequence for attention over positions 0..<positions: its own rows (positions shared..<positions)
    /// and, for a fork, the parent's rows it shares (positions 0..<shared).
    struct LayerView {
        let keys, values: Tensor
        let sharedKeys, sharedValues: Tensor?
        let shared: Int
    }

    func layer(_ id: Int, _ layer: Int, positions: Int) throws -> LayerView {
        let s = try sequence(id)
        let own = 0..<(positions - s.sharedLength)
        guard let parent = s.parent else {
            return LayerView(keys: try s.keys[layer].rows(own), values: try s.values[layer].rows(own), sharedKeys: nil, sharedValues: nil, shared: 0)
        }
        let shared = 0..<s.sharedLength
        return LayerView(keys: try s.keys[layer].rows(own), values: try s.values[layer].rows(own),
                         sharedKeys: try parent.keys[layer].rows(shared), sharedValues: try parent.values[layer].rows(shared),
                         shared: s.sharedLength)
    }

    private func sequence(_ id: Int) throws -> Sequence {
        guard let s = sequences[id] else { throw TinaError.invalidArgument("unknown KV cache sequence \(id)") }
        return s
    }
}
