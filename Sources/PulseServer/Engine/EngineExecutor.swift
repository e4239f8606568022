import Dispatch

/// The serial executor ``ServeEngine`` runs on: a dispatch queue of its own, so that loading and
/// evaluating a snapshot (seconds of work) never occupies a thread of Swift's cooperative pool,
/// which answers the HTTP requests. Sendable as it is: one immutable `DispatchQueue`.
final class EngineExecutor: SerialExecutor {
    private let queue = DispatchQueue(label: "pulse.serve.engine", qos: .userInitiated)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
