import Foundation

/// Freed blocks of `minimumBytes` and more, kept for the next allocation of the same size.
///
/// glibc maps such blocks afresh on every allocation (see `HeapPolicy`), so each use faults its pages in again, and
/// the kernel zero-fills every page first. The lm_head loop of a training step allocates the same 67 MB logits and
/// gradient chunks ~20 times per step: at the 1.5B shape (4 layers, 4 x 512 tokens) 4.2 M page faults and 10 s of
/// system time per benchmark run (of 90 s CPU), measured. Blocks come back only at their exact (page-rounded) size,
/// the oldest go first when the cache would pass `capacity`, so what it holds stays bounded; blocks it cannot keep
/// are freed as before.
public final class LargeBlockCache: @unchecked Sendable {
    /// Blocks below this come from glibc's heap, which reuses them already.
    public static let minimumBytes = 16 << 20
    /// 256 MiB by default (a few logits chunks and their bf16 copies); `TINA_BLOCK_CACHE_MB` overrides, 0 disables.
    public static let shared = LargeBlockCache(capacity: {
        if let text = ProcessInfo.processInfo.environment["TINA_BLOCK_CACHE_MB"], let mb = Int(text), mb >= 0 { return mb << 20 }
        return 256 << 20
    }())

    public let capacity: Int
    private let lock = NSLock()
    /// Oldest first.
    private var free: [(pointer: UnsafeMutableRawPointer, size: Int)] = []
    private var held = 0

    public init(capacity: Int) { self.capacity = capacity }

    /// Bytes held now (for tests and reports).
    public var heldBytes: Int { lock.withLock { held } }

    /// A 64-byte aligned block of at least `byteCount` bytes, reused when one of the same size is free. Contents are
    /// whatever was there.
    public func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = Self.rounded(byteCount)
        if size >= Self.minimumBytes {
            let reused: UnsafeMutableRawPointer? = lock.withLock {
                guard let i = free.lastIndex(where: { $0.size == size }) else { return nil }
                held -= size
                return free.remove(at: i).pointer
            }
            if let reused { return reused }
        }
        return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Gives back a block from `allocate(byteCount:)` (same `byteCount`).
    public func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        let size = Self.rounded(byteCount)
        guard size >= Self.minimumBytes, size <= capacity else { pointer.deallocate(); return }
        let evicted: [UnsafeMutableRawPointer] = lock.withLock {
            var out: [UnsafeMutableRawPointer] = []
            while held + size > capacity, !free.isEmpty {
                let oldest = free.removeFirst()
                held -= oldest.size
                out.append(oldest.pointer)
            }
            free.append((pointer, size))
            held += size
            return out
        }
        for p in evicted { p.deallocate() }
    }

    /// Frees every block held.
    public func drain() {
        let all: [UnsafeMutableRawPointer] = lock.withLock {
            defer { free = []; held = 0 }
            return free.map(\.pointer)
        }
        for p in all { p.deallocate() }
    }

    private static func rounded(_ byteCount: Int) -> Int { (max(byteCount, 1) + 4095) & ~4095 }
}
