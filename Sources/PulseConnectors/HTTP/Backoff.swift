import Foundation

/// Waits between tries: exponential, capped, with jitter, and a clock that tests replace.
public struct Backoff: Sendable {
    /// The first wait, in seconds.
    public var base: Double
    /// The longest wait, in seconds.
    public var cap: Double
    /// How many tries a call gets for server errors and timeouts (connectors.md: 5).
    public var tries: Int
    /// How many tries a call gets when it is rate limited.
    public var rateLimitedTries: Int
    /// How many tries a call gets when nothing could be reached (connection refused, a host name
    /// that does not resolve): one retry, since a wrong `api_base` does not heal in a minute.
    public var unreachableTries: Int
    /// The longest wait a rate limit may ask for, in seconds: a longer one (a 429's
    /// `X-Rate-Limit-Time-Reset-Ms`, AliExpress's "this ban will last N seconds") fails the call
    /// at once with "the store asked to wait N s" instead of sleeping for it.
    public var longestWait: Double
    /// Waits longer than this many seconds are announced (on standard error when it is a terminal).
    public static let announcedWait = 5.0

    /// connectors.md's policy: 1 s, 2 s, 4 s, … up to 30 s, 5 tries; up to 10 rate-limited tries
    /// of at most 60 s each; one retry when the host is unreachable.
    public static let standard = Backoff(base: 1, cap: 30, tries: 5, rateLimitedTries: 10)

    public init(base: Double, cap: Double, tries: Int, rateLimitedTries: Int) {
        self.init(base: base, cap: cap, tries: tries, rateLimitedTries: rateLimitedTries, unreachableTries: 2, longestWait: 60)
    }

    public init(base: Double, cap: Double, tries: Int, rateLimitedTries: Int, unreachableTries: Int, longestWait: Double) {
        self.base = base
        self.cap = cap
        self.tries = tries
        self.rateLimitedTries = rateLimitedTries
        self.unreachableTries = unreachableTries
        self.longestWait = longestWait
    }

    /// The wait before try `attempt + 1` (attempt counts from 1): base * 2^(attempt-1), capped,
    /// times a random factor in [0.5, 1] so that clients do not retry in step.
    public func delay(after attempt: Int) -> Double {
        let exponent = Double(min(max(attempt - 1, 0), 30))
        let raw = min(cap, base * pow2(exponent))
        return raw * Double.random(in: 0.5...1.0)
    }

    private func pow2(_ e: Double) -> Double {
        var v = 1.0
        for _ in 0..<Int(e) { v *= 2 }
        return v
    }
}

/// The passage of time, as a pull sees it: the wall clock and waiting. Tests pass one that
/// records the waits asked for instead of waiting.
public protocol PullClock: Sendable {
    /// The current time, in milliseconds since 1970 (AliExpress's `timestamp`).
    func nowMilliseconds() -> Int64
    /// Waits `seconds`.
    func sleep(seconds: Double) async
}

/// The real clock.
public struct SystemPullClock: PullClock {
    public init() {}
    public func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
    public func sleep(seconds: Double) async {
        guard seconds > 0 else { return }
        try? await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400) * 1e9))
    }
}
