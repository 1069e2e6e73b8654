import Foundation

private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
    let done = DispatchSemaphore(value: 0)
}

/// Runs `body` on a new thread with a `bytes`-sized stack and returns its result: tests use it to show that a
/// parser's depth limit, not the stack of whatever thread runs it, bounds its recursion.
public func runOnSmallStack<T: Sendable>(bytes: Int, _ body: @escaping @Sendable () -> T) -> T {
    let box = ResultBox<T>()
    let thread = Thread {
        box.value = body()
        box.done.signal()
    }
    thread.stackSize = bytes
    thread.start()
    box.done.wait()
    guard let value = box.value else { preconditionFailure("thread produced no value") }
    return value
}
