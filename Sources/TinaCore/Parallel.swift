import Dispatch
import Foundation

/// Splits loops over the machine's cores. The work of one call is cut into at most `threadCount` contiguous
/// chunks so each core streams its own slice of a weight matrix (what a memory-bound GEMV needs).
public enum Parallel {
    /// Worker count: `TINA_NUM_THREADS` when set to a positive integer, else the active processor count.
    public static let threadCount: Int = {
        if let text = ProcessInfo.processInfo.environment["TINA_NUM_THREADS"], let n = Int(text), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Whether loops run on Tina's persistent worker threads (`TINA_WORKER_POOL=0` falls back to GCD).
    public static let usePool: Bool = ProcessInfo.processInfo.environment["TINA_WORKER_POOL"] != "0"

    /// Chunks per thread of a pooled loop (each still a contiguous range, as memory-bound kernels want).
    static let chunksPerThread = 4

    /// Calls `body` on disjoint ranges covering `0..<count`, in parallel when the work is large enough.
    /// `minChunk` keeps tiny loops on one thread, where dispatch overhead would dominate.
    public static func forChunks(of count: Int, minChunk: Int = 1, threads: Int = threadCount,
                                 _ body: @Sendable (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let parts = max(1, min(threads, count / max(minChunk, 1)))
        if parts == 1 { body(0..<count); return }
        // On the pool, a few chunks per thread (claimed dynamically) let the caller finish the work of a
        // worker that another process has descheduled; GCD gets one chunk per thread.
        let pooled = usePool && threads == threadCount && WorkerPool.shared.available
        let chunks = pooled ? min(count / max(minChunk, 1), parts * chunksPerThread) : parts
        let step = (count + chunks - 1) / chunks
        let chunk: @Sendable (Int) -> Void = { index in
            let start = index * step
            let end = min(count, start + step)
            if start < end { body(start..<end) }
        }
        if pooled {
            // The pool holds the closure only until run returns.
            let ran = withoutActuallyEscaping(chunk) { escapable in WorkerPool.shared.run(chunks: chunks, escapable) }
            if ran { return }
        }
        DispatchQueue.concurrentPerform(iterations: chunks, execute: chunk)
    }
}

/// Lets raw pointers cross into concurrent closures. The caller guarantees that chunks write disjoint memory.
public struct UnsafeSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
