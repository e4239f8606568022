import NIOConcurrencyHelpers

/// What one source's pull did, for `snapshot.json`: calls made, retries, pages, rows, seconds.
public final class SourceStats: Sendable {
    /// The counters at one moment.
    public struct Counts: Sendable, Equatable {
        public var calls = 0
        public var retries = 0
        public var pages = 0
        public var waitedSeconds = 0.0
        /// How long the source took, start to end.
        public var seconds = 0.0
        /// Calls by API call name (`GET /v3/catalog/products`, `aliexpress.solution.product.info.get`).
        public var callsByName: [String: Int] = [:]
        /// Rows written, by file.
        public var rows: [String: Int] = [:]
    }

    private let box = NIOLockedValueBox(Counts())

    public init() {}

    /// The counters now.
    public var counts: Counts { box.withLockedValue { $0 } }

    func call(_ name: String) {
        box.withLockedValue {
            $0.calls += 1
            $0.callsByName[name, default: 0] += 1
        }
    }
    func retry(waiting seconds: Double) {
        box.withLockedValue {
            $0.retries += 1
            $0.waitedSeconds += seconds
        }
    }
    func waited(_ seconds: Double) { box.withLockedValue { $0.waitedSeconds += seconds } }
    func page() { box.withLockedValue { $0.pages += 1 } }
    func rows(_ file: String, _ n: Int) { box.withLockedValue { $0.rows[file, default: 0] += n } }
}
