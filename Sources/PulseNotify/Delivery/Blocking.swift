import Dispatch

/// Runs `operation` to completion from synchronous code (the command line is synchronous).
package func runBlocking<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        box.set(await operation())
        done.signal()
    }
    done.wait()
    return box.take()
}

/// One value handed from a task to the thread waiting for it.
// @unchecked: the task sets the value once, then signals the semaphore; the waiting thread reads
// it only after the signal, so the two never touch it at the same time.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private var value: T?

    func set(_ value: T) { self.value = value }

    func take() -> T {
        guard let value else { preconditionFailure("the task signalled without a value") }
        return value
    }
}
