import CTinaCPU
import Foundation

/// The bytes behind one or more `Tensor` views: either owned (64-byte aligned, freed on deinit) or borrowed
/// from another owner such as a memory-mapped file, which is kept alive for as long as the storage is.
public final class TensorStorage: @unchecked Sendable {
    public let bytes: UnsafeMutableRawPointer
    public let byteCount: Int
    /// Where the bytes live (CPU memory for every storage made here).
    public let device: Device = .cpu
    private let owner: AnyObject?
    private let ownsBytes: Bool

    /// Allocates `byteCount` zeroed bytes.
    public init(zeroedByteCount byteCount: Int) {
        _ = HeapPolicy.applied
        let size = max(byteCount, 1)
        bytes = LargeBlockCache.shared.allocate(byteCount: size)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        self.byteCount = byteCount
        owner = nil
        ownsBytes = true
    }

    /// Allocates `byteCount` bytes left as they are (or NaN bytes under `TINA_POISON_UNINITIALIZED=1`).
    public init(uninitializedByteCount byteCount: Int) {
        _ = HeapPolicy.applied
        let size = max(byteCount, 1)
        bytes = LargeBlockCache.shared.allocate(byteCount: size)
        if Self.poisonUninitialized { bytes.initializeMemory(as: UInt8.self, repeating: 0xFF, count: size) }
        self.byteCount = byteCount
        owner = nil
        ownsBytes = true
    }

    /// Whether uninitialized storage is filled with 0xFF bytes (a NaN in f32 and bf16) to expose reads of it.
    public static let poisonUninitialized = ProcessInfo.processInfo.environment["TINA_POISON_UNINITIALIZED"] == "1"

    /// Wraps memory that `owner` keeps valid. The memory must not be written if the owner maps it read-only.
    public init(borrowing bytes: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject) {
        self.bytes = bytes
        self.byteCount = byteCount
        self.owner = owner
        ownsBytes = false
    }

    deinit {
        if ownsBytes { LargeBlockCache.shared.deallocate(bytes, byteCount: max(byteCount, 1)) }
    }
}

/// How the C heap serves tensors. A training step allocates and frees the same large activations every step
/// (11 MB matrices at SmolLM2's 16 x 114 tokens); glibc maps blocks of its dynamic threshold and above afresh each
/// time, so a step faults their pages in again (with zero-fills, 0.7 s of a loaded SmolLM2 GRPO step). Blocks below
/// 16 MiB come from the heap and are reused step to step. Larger ones (26 MB activations at the 1.5B shape's 4 x
/// 1,074 tokens) are mapped and unmapped each time: on the heap they fragmented it around the layer inputs that
/// gradient checkpointing keeps, and a 28-layer GRPO step peaked at 6.46 GB (32 MiB threshold, 1 GiB kept) or 6.64
/// GB (64 MiB kept) against 5.80 GB, at the same step time (331 vs 319-335 s). Up to 64 MiB of freed heap top
/// is kept. Owned storage goes through `LargeBlockCache`, which keeps a bounded set of those mapped blocks for reuse
/// at the same size (the lm_head loop's logits chunks).
enum HeapPolicy {
    static let applied: Bool = {
        tina_heap_policy(16 << 20, 64 << 20)
        return true
    }()
}
