import Foundation
import Synchronization

/// Persistent worker threads for `Parallel.forChunks`. Decode runs hundreds of short parallel loops per token;
/// waking GCD or OpenBLAS threads for each cost ~20% of SmolLM2 decode time (perf). Each worker waits on its
/// own ticket: it spins briefly after a job (so back-to-back loops start at once), then sleeps on a condition
/// variable. One caller at a time: a second concurrent caller, or a call from inside a job, gets `false`
/// and runs its loop on GCD instead, so the pool can never deadlock.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: max(0, Parallel.threadCount - 1))

    /// Iterations a worker polls for its next ticket before sleeping (tens of microseconds).
    static let spinIterations = 20_000

    final class Ticket: Sendable {
        let value = Atomic<Int>(0)
    }

    private let tickets: [Ticket]
    private let remaining = Atomic<Int>(0)
    private let busy = Mutex<Bool>(false)
    private let condition = NSCondition()
    /// The current job (chunk index -> work), written before the tickets that publish it.
    nonisolated(unsafe) private var job: ((Int) -> Void)?

    private init(workers: Int) {
        tickets = (0..<workers).map { _ in Ticket() }
        for index in 0..<workers {
            let thread = Thread { [unowned self] in self.workerLoop(index: index) }
            thread.name = "tina-worker-\(index + 1)"
            thread.start()
        }
    }

    /// Runs `work(chunk)` for chunk in 0..<chunks, chunk 0 on the calling thread. Returns false (having run
    /// nothing) when the pool is busy, too small, or called from one of its own workers.
    func run(chunks: Int, _ work: @escaping (Int) -> Void) -> Bool {
        guard chunks - 1 <= tickets.count, !Thread.current.isTinaWorker else { return false }
        let acquired = busy.withLock { held -> Bool in
            if held { return false }
            held = true
            return true
        }
        guard acquired else { return false }
        defer { busy.withLock { $0 = false } }
        job = work
        remaining.store(chunks - 1, ordering: .releasing)
        condition.lock()
        for i in 0..<(chunks - 1) { tickets[i].value.add(1, ordering: .releasing) }
        condition.broadcast()
        condition.unlock()
        work(0)
        while remaining.load(ordering: .acquiring) > 0 {}
        job = nil
        return true
    }

    private func workerLoop(index: Int) {
        Thread.current.isTinaWorker = true
        let ticket = tickets[index]
        var seen = 0
        while true {
            var spins = 0
            while ticket.value.load(ordering: .acquiring) == seen && spins < Self.spinIterations { spins += 1 }
            if ticket.value.load(ordering: .acquiring) == seen {
                condition.lock()
                while ticket.value.load(ordering: .acquiring) == seen { condition.wait() }
                condition.unlock()
            }
            seen = ticket.value.load(ordering: .acquiring)
            job?(index + 1)
            remaining.subtract(1, ordering: .releasing)
        }
    }
}

extension Thread {
    private static let workerKey = "tina.worker"

    /// Whether this thread is one of the pool's workers (nested parallel loops then run elsewhere).
    var isTinaWorker: Bool {
        get { threadDictionary[Self.workerKey] as? Bool ?? false }
        set { threadDictionary[Self.workerKey] = newValue }
    }
}
