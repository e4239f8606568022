import PulseSnapshot

/// How far a pull follows one of a vendor's paged lists. A list's own counts are an answer like
/// any other and may be wrong or hostile (`"total_pages": 1000000000000`), so pages are read one
/// window at a time, never laid out in advance; the walk ends at the first empty page (or short
/// page, where the page size is known), at the smaller of the list's counts (`total_pages`,
/// `total / per_page`), and never goes past ``maxPages``: a list that claims more fails at once,
/// and a list without counts that still has full pages there fails at that page.
struct PagePlan: Sendable {
    /// The most pages a pull reads of one list: 10,000 (2.5 million BigCommerce products at 250
    /// a page, 990,000 AliExpress listings of one status at 99). README "Limits and retries".
    static let maxPages = 10_000

    /// Pages to read at most (1 through `pages`).
    let pages: Int
    /// `pages` is ``maxPages`` because the list gave no count: reaching it with a full page fails.
    let unbounded: Bool
    /// A page with fewer items ends the list; nil when a page may hold fewer without ending it.
    let fullPage: Int?

    /// - Parameters:
    ///   - totalPages: the list's page count (`total_pages`, `total_page`), if it gave one.
    ///   - total: the list's item count (`total`, `product_count`, `total_count`), if it gave one.
    ///   - fullPage: the items of a full page (the page size asked for, or the one the answer
    ///     says it used); nil when only an empty page ends the list.
    ///   - pageSize: the items of a page, for the pages `total` makes.
    init(totalPages: Int64?, total: Int64?, pageSize: Int, fullPage: Int?, site: CallSite) throws(PullError) {
        var bound: Int64?
        if let totalPages { bound = max(totalPages, 1) }
        if let total, pageSize > 0 {
            let (sum, overflow) = max(total, 0).addingReportingOverflow(Int64(pageSize - 1))
            let byTotal = overflow ? Int64.max / Int64(pageSize) : sum / Int64(pageSize)
            bound = min(bound ?? Int64.max, max(byTotal, 1))
        }
        self.fullPage = fullPage
        guard let bound else {
            pages = Self.maxPages
            unbounded = true
            return
        }
        guard bound <= Int64(Self.maxPages) else {
            let said = [totalPages.map { "total pages \($0)" }, total.map { "total \($0)" }].compactMap { $0 }.joined(separator: ", ")
            throw site.failure("the list claims \(bound) pages (\(said)), more than the \(Self.maxPages) pages a pull reads of one list; nothing was written")
        }
        pages = Int(bound)
        unbounded = false
    }

    /// Whether `page`, holding `count` items, is the last one to read.
    func isLast(page: Int, count: Int) -> Bool {
        count == 0 || fullPage.map { count < $0 } ?? false || page >= pages
    }

    /// The page to read after `page`, which held `count` items; nil when it was the last (and
    /// ``checkEnd(page:count:site:)`` passed).
    func nextPage(after page: Int, count: Int, site: CallSite) throws(PullError) -> Int? {
        guard isLast(page: page, count: count) else { return page + 1 }
        try checkEnd(page: page, count: count, site: site)
        return nil
    }

    /// After the last page read: a list without counts still full at ``maxPages`` fails there.
    func checkEnd(page: Int, count: Int, site: CallSite) throws(PullError) {
        guard unbounded, page >= pages, count > 0, fullPage.map({ count >= $0 }) ?? true else { return }
        throw site.failure("the list still has items at page \(page), the most a pull reads of one list (\(Self.maxPages) pages); nothing was written")
    }

    /// The size of a full page: `per_page` (or `page_size`) of the answer when it is between 1 and
    /// what was asked for, else what was asked for.
    static func pageSize(said: JSONValue?, asked: Int) -> Int {
        guard let n = said?.int64, n >= 1, n <= Int64(asked) else { return asked }
        return Int(n)
    }
}
