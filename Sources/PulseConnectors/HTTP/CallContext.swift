/// What every vendor client calls with: one HTTP transport, the clock it waits on, the retry
/// policy, and the counters of the source it pulls for.
struct CallContext: Sendable {
    let transport: HTTPTransport
    let clock: any PullClock
    let backoff: Backoff
    let stats: SourceStats

    /// Counts one more failed try in `tries`. When that reaches `limit`, throws the failure made
    /// from the count; otherwise records the retry and waits `wait` seconds (default: the
    /// backoff's delay after that many tries).
    func retry(_ tries: inout Int, limit: Int, wait: Double? = nil,
               else failure: (_ tries: Int) -> PullError) async throws(PullError) {
        tries += 1
        guard tries < limit else { throw failure(tries) }
        let seconds = wait ?? backoff.delay(after: tries)
        stats.retry(waiting: seconds)
        await clock.sleep(seconds: seconds)
    }
}
