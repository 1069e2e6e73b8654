import TinaCore

/// Keys and values of every layer for a set of sequences, [position, kvHeads * headDim] per layer, in tensors of
/// the model's backend (device memory on a GPU): bf16 for bf16 compute (half the memory and bandwidth; keys and
/// values are rounded as a bf16 model's k/v projections round them), f32 for the exact path.
/// Sequences grow on demand (capacity doubles) within a byte budget; `fork` copies a sequence so G samples
/// can share one prompt's prefill, `truncate` rolls a sequence back. Not thread-safe: one owner drives it.
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
        var length = 0
        var capacity = 0
        /// [capacity, kvDim] per layer.
        var keys: [Tensor] = []
        var values: [Tensor] = []

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

    /// Drops a sequence and its memory.
    public func release(_ id: Int) {
        guard let s = sequences.removeValue(forKey: id) else { return }
        bytesReserved -= s.capacity * bytesPerPosition
        s.free()
    }

    /// Forgets positions from `length` on.
    public func truncate(_ id: Int, to length: Int) throws {
        let s = try sequence(id)
        guard length >= 0, length <= s.length else {
            throw TinaError.invalidArgument("cannot truncate sequence \(id) of length \(s.length) to \(length)")
        }
        s.length = length
    }

    /// A new sequence holding a copy of `id`'s cached positions, with room for `reserving` positions in all.
    public func fork(_ id: Int, reserving: Int = 0) throws -> Int {
        let source = try sequence(id)
        let copy = newSequence()
        do {
            try reserve(copy, positions: max(source.length, reserving))
        } catch {
            release(copy)
            throw error
        }
        let target = try sequence(copy)
        let used = 0..<source.length
        for layer in 0..<layerCount {
            try backend.copy(try source.keys[layer].rows(used), into: try target.keys[layer].rows(used))
            try backend.copy(try source.values[layer].rows(used), into: try target.values[layer].rows(used))
        }
        target.length = source.length
        return copy
    }

    /// Makes room for `positions` positions in total (existing ones kept); throws past `maxBytes`.
    public func reserve(_ id: Int, positions: Int) throws {
        let s = try sequence(id)
        guard positions > s.capacity else { return }
        let capacity = max(positions, min(2 * s.capacity, positions + 4096), 16)
        try reserveExactly(s, id: id, capacity: capacity, positions: positions)
    }

    /// Bytes a sequence of exactly `positions` positions takes (what `fork(_:reserving:)` allocates).
    public func bytes(positions: Int) -> Int { max(positions, 16) * bytesPerPosition }

    private func reserveExactly(_ s: Sequence, id: Int, capacity: Int, positions: Int) throws {
        let extra = (capacity - s.capacity) * bytesPerPosition
        guard bytesReserved + extra <= maxBytes else {
            throw TinaError.invalidArgument("KV cache budget exceeded: sequence \(id) needs \(positions) positions, \(bytesReserved + extra) bytes of \(maxBytes) allowed")
        }
        var keys: [Tensor] = [], values: [Tensor] = []
        for layer in 0..<layerCount {
            let k = try backend.zeros([capacity, kvDim], dtype: dtype)
            let v = try backend.zeros([capacity, kvDim], dtype: dtype)
            if s.length > 0 {
                let used = 0..<s.length
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

    /// Positions 0..<positions of a layer's keys / values ([positions, kvDim] views).
    func keys(_ id: Int, layer: Int, positions: Int) throws -> Tensor { try sequence(id).keys[layer].rows(0..<positions) }
    func values(_ id: Int, layer: Int, positions: Int) throws -> Tensor { try sequence(id).values[layer].rows(0..<positions) }

    private func sequence(_ id: Int) throws -> Sequence {
        guard let s = sequences[id] else { throw TinaError.invalidArgument("unknown KV cache sequence \(id)") }
        return s
    }
}
