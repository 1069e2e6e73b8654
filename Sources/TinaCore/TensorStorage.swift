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
        bytes = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        self.byteCount = byteCount
        owner = nil
        ownsBytes = true
    }

    /// Allocates `byteCount` bytes left as they are (or NaN bytes under `TINA_POISON_UNINITIALIZED=1`).
    public init(uninitializedByteCount byteCount: Int) {
        _ = HeapPolicy.applied
        let size = max(byteCount, 1)
        bytes = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
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
        if ownsBytes { bytes.deallocate() }
    }
}

/// How the C heap serves tensors. A training step allocates and frees the same large activations every step
/// (11 MB matrices at SmolLM2's 16 x 114 tokens); glibc maps blocks of its dynamic threshold and above afresh each
/// time and trims freed heap tops, so a step can fault its activations' pages in again (`allocate`, which also
/// zero-fills, took 0.7 s of a SmolLM2 GRPO step's `bench grpo --profile` on a loaded machine). Serving blocks up
/// to 32 MiB (glibc's largest allowed threshold) from the heap and keeping freed memory lets a step reuse the last
/// step's pages.
enum HeapPolicy {
    static let applied: Bool = {
        tina_heap_policy(32 << 20, 1 << 30)
        return true
    }()
}
