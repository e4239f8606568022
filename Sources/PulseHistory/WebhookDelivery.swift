import Dispatch

/// Sends a profile's undelivered alert transitions to a webhook, each once and in order, even
/// when several `pulse eval --record --notify-webhook` runs overlap.
public enum WebhookDelivery {
    /// Claims the undelivered transitions, posts them in order (stopping at the first failure, so
    /// that later ones wait for it), marks those sent as delivered and gives the rest back.
    /// - Returns: a message per problem (none when everything claimed was delivered).
    public static func deliver(store: HistoryStore, profile: String, webhook: WebhookNotifier) -> [String] {
        let url = webhook.displayURL
        // Long enough for every claimed transition's attempts; a crashed run's claim expires.
        let perTransition = Int(Double(webhook.attempts) * (webhook.timeout + 1) + webhook.backoff * 8) + 1
        let claimed: [AlertTransition]
        do {
            let undelivered = try store.undelivered(profile: profile).count
            claimed = try store.claimUndelivered(profile: profile, lease: 60 + perTransition * max(1, undelivered)).claimed
        } catch {
            return ["pulse eval: webhook \(url): \(error)"]
        }
        guard !claimed.isEmpty else { return [] }
        let (delivered, failure) = blocking { () async -> ([Int64], String?) in
            let client = webhook.makeClient()
            var delivered: [Int64] = []
            var failure: String?
            for transition in claimed {
                if let error = await webhook.send(transition, client: client) {
                    failure = "pulse eval: webhook \(url) failed for \(transition.card) (\(transition.to)): \(error); "
                        + "the transition is recorded and will be sent again with the next --notify-webhook"
                    break  // keep the order: later transitions wait for this one
                }
                delivered.append(transition.id)
            }
            try? await client.shutdown()
            return (delivered, failure)
        }
        var failures = failure.map { [$0] } ?? []
        do {
            try store.markDelivered(delivered)
            try store.releaseClaims(claimed.map(\.id).filter { !delivered.contains($0) })
        } catch {
            failures.append("pulse eval: webhook \(url): \(error)")
        }
        return failures
    }

    /// Runs `operation` to completion from synchronous code (the command line is synchronous).
    private static func blocking<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            box.set(await operation())
            done.signal()
        }
        done.wait()
        return box.take()
    }
}

/// One value handed from a task to the thread waiting for it.
// @unchecked: the task sets the value once, then signals the semaphore; the waiting thread reads
// it only after the signal, so the two never touch it at the same time.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    // @unchecked: `value` is written once by the task before it signals, and read once by the
    // waiting thread after the signal; the semaphore orders the two.
    private var value: T?

    func set(_ value: T) { self.value = value }

    func take() -> T {
        guard let value else { preconditionFailure("the task signalled without a value") }
        return value
    }
}
