import Foundation

/// A vendor's request quota as the fake enforces it: at most `quota` requests in a window of
/// `windowMs` milliseconds that opens with the first request after the previous one closed
/// (BigCommerce's `X-Rate-Limit-*` model, connectors-research.md A6: 150 requests per 30 s on the
/// Standard and Plus plans; AliExpress's per-second ban, B8: 20 product queries a second per seller).
struct FakeQuota: Sendable, Equatable {
    /// Requests allowed in one window.
    let quota: Int
    /// The window's length in milliseconds.
    let windowMs: Int64
    private var opened: Int64?
    private var used = 0
    /// Requests refused because the window's quota was spent.
    private(set) var refused = 0

    /// What the quota says about one request.
    enum Verdict: Equatable {
        /// Served: `left` requests remain in a window that closes in `resetMs`.
        case allowed(left: Int, resetMs: Int64)
        /// Refused until the window closes in `resetMs`.
        case refused(resetMs: Int64)
    }

    init(quota: Int, windowMs: Int64) {
        self.quota = max(quota, 1)
        self.windowMs = max(windowMs, 1)
    }

    /// Parses `N/S`: N requests per S seconds (`150/30`); nil when it is not that.
    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let n = Int(parts[0]), n > 0, let s = Double(parts[1]), s > 0, s <= 86_400 else { return nil }
        self.init(quota: n, windowMs: Int64((s * 1000).rounded()))
    }

    /// Counts one request at `nowMs` (a monotonic clock in milliseconds).
    mutating func take(nowMs: Int64) -> Verdict {
        if let opened, nowMs < opened + windowMs {
            // the window is open
        } else {
            opened = nowMs
            used = 0
        }
        let resetMs = (opened ?? nowMs) + windowMs - nowMs
        guard used < quota else {
            refused += 1
            return .refused(resetMs: resetMs)
        }
        used += 1
        return .allowed(left: quota - used, resetMs: resetMs)
    }

    /// Milliseconds on a monotonic clock, for ``take(nowMs:)``.
    static func nowMs() -> Int64 {
        Int64(clamping: DispatchTime.now().uptimeNanoseconds / 1_000_000)
    }
}
