import NIOConcurrencyHelpers

/// What a pull tells while it runs, for a progress line on a terminal (`pulse pull` shows one
/// when standard error is a terminal and `--quiet` is not given). Called from the pull's tasks,
/// so it must be cheap and thread-safe.
public protocol PullObserver: Sendable {
    /// A source's counters changed: a call made, a retry, a page read, pages expected.
    func progress(source: String, counts: SourceStats.Counts)
    /// A source is about to wait `seconds` (longer than ``Backoff/announcedWait``); `why` says for what.
    func waiting(source: String, seconds: Double, why: String)
}

/// What one source's pull did, for `snapshot.json`: calls made, retries, pages, rows, seconds.
public final class SourceStats: Sendable {
    /// The counters at one moment.
    public struct Counts: Sendable, Equatable {
        public var calls = 0
        public var retries = 0
        public var pages = 0
        /// Pages the lists said they hold (known once each list's first page is read).
        public var expectedPages = 0
        public var waitedSeconds = 0.0
        /// How long the source took, start to end.
        public var seconds = 0.0
        /// Calls by API call name (`GET /v3/catalog/products`, `aliexpress.solution.product.info.get`).
        public var callsByName: [String: Int] = [:]
        /// Rows written, by file.
        public var rows: [String: Int] = [:]
    }

    private let box = NIOLockedValueBox(Counts())
    /// `bigcommerce` or `aliexpress`, for the observer.
    public let source: String
    private let observer: (any PullObserver)?

    public init(source: String = "", observer: (any PullObserver)? = nil) {
        self.source = source
        self.observer = observer
    }

    /// The counters now.
    public var counts: Counts { box.withLockedValue { $0 } }

    private func change(_ body: (inout Counts) -> Void) {
        let now = box.withLockedValue { c -> Counts in
            body(&c)
            return c
        }
        observer?.progress(source: source, counts: now)
    }

    func call(_ name: String) {
        change {
            $0.calls += 1
            $0.callsByName[name, default: 0] += 1
        }
    }
    func retry(waiting seconds: Double) {
        change {
            $0.retries += 1
            $0.waitedSeconds += seconds
        }
    }
    func waited(_ seconds: Double) { box.withLockedValue { $0.waitedSeconds += seconds } }
    func page() { change { $0.pages += 1 } }
    /// `n` more pages are expected (a list's first page said how many it has).
    func expect(pages n: Int) { change { $0.expectedPages += max(n, 0) } }
    func rows(_ file: String, _ n: Int) { box.withLockedValue { $0.rows[file, default: 0] += n } }
    func announce(seconds: Double, why: String) { observer?.waiting(source: source, seconds: seconds, why: why) }
}
