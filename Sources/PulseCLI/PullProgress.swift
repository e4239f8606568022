import Dispatch
import Foundation
import NIOConcurrencyHelpers
import PulseConnectors

/// `pulse pull`'s progress on a terminal: one line, rewritten in place, with each source's pages
/// fetched of expected, calls and retries; a wait longer than 5 s gets a line of its own first
/// ("waiting 12 s: rate limited"). Shown only when standard error is a terminal and `--quiet` is
/// not given; a cron job's mail never sees it.
public final class PullProgressLine: PullObserver {
    private struct State {
        var counts: [String: SourceStats.Counts] = [:]
        var lastDraw: UInt64 = 0
        var drawn = false
        var shown = ""
    }

    private let write: @Sendable (String) -> Void
    private let state = NIOLockedValueBox(State())
    /// Calls alone redraw at most this often (pages, retries and waits always do).
    private static let interval: UInt64 = 100_000_000

    /// Writes to `write` (standard error by default).
    public init(write: @escaping @Sendable (String) -> Void = PullProgressLine.standardError) {
        self.write = write
    }

    public static let standardError: @Sendable (String) -> Void = { text in
        FileHandle.standardError.write(Data(text.utf8))
    }

    public func progress(source: String, counts: SourceStats.Counts) {
        let text: String? = state.withLockedValue { s in
            let before = s.counts[source]
            s.counts[source] = counts
            let now = DispatchTime.now().uptimeNanoseconds
            let changed = before?.pages != counts.pages || before?.retries != counts.retries || before?.expectedPages != counts.expectedPages
            guard changed || now &- s.lastDraw >= Self.interval else { return nil }
            s.lastDraw = now
            s.drawn = true
            s.shown = Self.line(s.counts)
            return "\r\u{1B}[K" + s.shown
        }
        if let text { write(text) }
    }

    public func waiting(source: String, seconds: Double, why: String) {
        let text: String = state.withLockedValue { s in
            let notice = "\r\u{1B}[Kpulse pull: \(source): \(why): waiting \(Self.seconds(seconds)) s\n"
            return notice + (s.drawn ? s.shown : "")
        }
        write(text)
    }

    /// Draws the final counts and ends the line (nothing when nothing was drawn).
    public func finish() {
        let text: String? = state.withLockedValue { s in
            guard s.drawn else { return nil }
            s.drawn = false
            return "\r\u{1B}[K" + Self.line(s.counts) + "\n"
        }
        if let text { write(text) }
    }

    /// `pulse pull: bigcommerce: 3 of 3 pages, 3 calls, 0 retries; aliexpress: 4 of 4 pages, 11 calls, 1 retry`
    static func line(_ counts: [String: SourceStats.Counts]) -> String {
        "pulse pull: " + counts.sorted { $0.key < $1.key }.map { source, c in
            let expected = max(c.expectedPages, c.pages)
            return "\(source): \(c.pages) of \(expected) pages, \(c.calls) \(c.calls == 1 ? "call" : "calls"), \(c.retries) \(c.retries == 1 ? "retry" : "retries")"
        }.joined(separator: "; ")
    }

    static func seconds(_ s: Double) -> String {
        guard s.isFinite, let whole = Int64(exactly: s.rounded(.up)) else { return "\(s)" }
        return String(whole)
    }
}
