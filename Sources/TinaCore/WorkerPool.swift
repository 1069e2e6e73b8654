import Foundation
import Synchronization

/// Persistent worker threads for `Parallel.forChunks`. Decode runs hundreds of short parallel loops per token;
/// waking GCD threads for each cost ~20% of SmolLM2 decode time (perf). Each worker waits on its own ticket: it
/// spins briefly after a job (so back-to-back loops start at once), then sleeps on a condition variable.
///
/// Chunks are claimed, not assigned: every participant (the caller and each worker) takes the next unclaimed
/// chunk until none is left. When another process occupies a core and a worker is descheduled, the caller
/// simply runs the remaining chunks itself instead of waiting a scheduler slice at every loop: with a fixed
/// split, SmolLM2 decode fell from 65 to 33 tok/s beside one busy neighbour (the "bimodal" decode runs).
/// One caller at a time: a second concurrent caller, or a call from inside a job, gets `false` and runs its
/// loop on GCD instead, so the pool can never deadlock.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: max(0, Parallel.threadCount - 1))

    /// Iterations a worker polls for its next ticket before sleeping (tens of microseconds).
    static let spinIterations = 20_000
    /// Polls of the caller waiting for chunks in flight before it starts yielding its core.
    static let waitSpins = 2_000

    final class Ticket: Sendable {
        let value = Atomic<Int>(0)
    }

    /// One `run`: its chunks, the claim and completion counters, and the work, which is read only after a
    /// successful claim and cleared before `run` returns (the closure must not outlive the call).
    final class Job: @unchecked Sendable {
        let chunks: Int
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        var work: ((Int) -> Void)?

        init(chunks: Int, work: @escaping (Int) -> Void) {
            self.chunks = chunks
            self.work = work
        }

        /// Runs chunks until none is left unclaimed.
        func participate() {
            while true {
                let index = next.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
                guard index < chunks else { return }
                do {
                    let body = work
                    body?(index)
                }
                done.add(1, ordering: .releasing)
            }
        }
    }

    private let tickets: [Ticket]
    private let busy = Mutex<Bool>(false)
    private let condition = NSCondition()
    /// The current job, written (under `condition`) before the tickets that publish it.
    nonisolated(unsafe) private var current: Job?

    private init(workers: Int) {
        tickets = (0..<workers).map { _ in Ticket() }
        for index in 0..<workers {
            let thread = Thread { [unowned self] in self.workerLoop(index: index) }
            thread.name = "tina-worker-\(index + 1)"
            thread.start()
        }
    }

    /// Whether a run can use the pool from this thread (not from inside one of its own jobs).
    var available: Bool { !tickets.isEmpty && !Thread.current.isTinaWorker }

    /// Runs `work(chunk)` for every chunk in 0..<chunks on the caller and the workers. Returns false (having
    /// run nothing) when the pool is busy, has no workers, or is called from one of its own workers.
    func run(chunks: Int, _ work: @escaping (Int) -> Void) -> Bool {
        guard available else { return false }
        let acquired = busy.withLock { held -> Bool in
            if held { return false }
            held = true
            return true
        }
        guard acquired else { return false }
        defer { busy.withLock { $0 = false } }
        let job = Job(chunks: chunks, work: work)
        condition.lock()
        current = job
        for ticket in tickets.prefix(chunks - 1) { ticket.value.add(1, ordering: .releasing) }
        condition.broadcast()
        condition.unlock()
        job.participate()
        var spins = 0
        while job.done.load(ordering: .acquiring) < chunks {
            spins += 1
            if spins > Self.waitSpins { sched_yield() }
        }
        job.work = nil
        return true
    }

    private func workerLoop(index: Int) {
        Thread.current.isTinaWorker = true
        let ticket = tickets[index]
        var seen = 0
        while true {
            var spins = 0
            while ticket.value.load(ordering: .acquiring) == seen && spins < Self.spinIterations { spins += 1 }
            condition.lock()
            while ticket.value.load(ordering: .acquiring) == seen { condition.wait() }
            seen = ticket.value.load(ordering: .acquiring)
            let job = current
            condition.unlock()
            job?.participate()
        }
    }
}

extension Thread {
    /// A pthread key rather than `threadDictionary`: this is read on every parallel loop (hundreds per decoded token),
    /// and the dictionary lookup bridged a string key each time.
    private static let workerKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Whether this thread is one of the pool's workers (nested parallel loops then run elsewhere).
    var isTinaWorker: Bool {
        get { pthread_getspecific(Self.workerKey) != nil }
        set { pthread_setspecific(Self.workerKey, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
    }
}
