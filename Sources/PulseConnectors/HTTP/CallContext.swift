/// What every vendor client calls with: one HTTP transport, the clock it waits on, the retry
/// policy, and the counters of the source it pulls for.
struct CallContext: Sendable {
    let transport: HTTPTransport
    let clock: any PullClock
    let backoff: Backoff
    let stats: SourceStats

    /// Counts one more failed try in `tries`. When that reaches `limit`, throws the failure made
    /// from the count; otherwise records the retry and waits `wait` seconds (default: the
    /// backoff's delay after that many tries). `why` names the wait when it is announced.
    func retry(_ tries: inout Int, limit: Int, wait: Double? = nil, why: String = "retrying",
               else failure: (_ tries: Int) -> PullError) async throws(PullError) {
        tries += 1
        guard tries < limit else { throw failure(tries) }
        let seconds = wait ?? backoff.delay(after: tries)
        stats.retry(waiting: seconds)
        if seconds > Backoff.announcedWait { stats.announce(seconds: seconds, why: why) }
        await clock.sleep(seconds: seconds)
    }

    /// The retry of a call that got no answer: unreachable hosts get ``Backoff/unreachableTries``.
    func retry(after failure: TransportFailure, _ tries: inout Int, site: CallSite) async throws(PullError) {
        let limit = failure.unreachable ? min(backoff.tries, backoff.unreachableTries) : backoff.tries
        try await retry(&tries, limit: limit) { site.failure("\(failure.message), \($0) \($0 == 1 ? "try" : "tries")") }
    }

    /// A wait the store asked for (`seconds`, as `said`): a failure at once when it is longer than
    /// ``Backoff/longestWait``, so that a hostile or broken header cannot park the pull for hours.
    func checkRequestedWait(_ seconds: Double, said: String, site: CallSite, status: Int?, code: String? = nil) throws(PullError) {
        guard !(seconds <= backoff.longestWait) else { return }
        throw site.failure(status: status, code: code,
                           "the store asked to wait \(Self.seconds(seconds)) s (\(said)), longer than the \(Self.seconds(backoff.longestWait)) s a pull waits for a rate limit; nothing was written, pull again later")
    }

    /// Whole seconds, rounded up, for messages (no trap on any value).
    static func seconds(_ s: Double) -> String {
        guard s.isFinite else { return "\(s)" }
        let up = s.rounded(.up)
        if let whole = Int64(exactly: up) { return String(whole) }
        return "\(s)"
    }
}
