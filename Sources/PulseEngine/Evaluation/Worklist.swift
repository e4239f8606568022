import PulseExpressions
import PulseSnapshot

/// A card's worklist: which source rows made it, in order, and how to compute their cells.
///
/// Cells are computed when they are read, from the card's compiled column expressions over the
/// same snapshot, not held: a worklist can list hundreds of thousands of rows, and holding their
/// values would cost tens of megabytes before a byte is written. Reading gives exactly what the
/// evaluation saw (the expressions are pure; a cell whose expression fails is null, and the
/// evaluation counted that error).
public struct Worklist: RandomAccessCollection, Sendable {
    /// The column names, in order.
    public let columns: [String]
    /// The source row (a listing, SKU or event row of the snapshot's tables) of each worklist row.
    public private(set) var sourceRows: [Int32] = []
    private let producer: WorklistCells?

    /// An empty worklist with these columns.
    public init(columns: [String]) {
        self.columns = columns
        producer = nil
    }

    init(columns: [String], producer: WorklistCells) {
        self.columns = columns
        self.producer = producer
    }

    /// Adds source row `row`.
    mutating func append(sourceRow row: Int32) { sourceRows.append(row) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { sourceRows.count }

    /// Calls `body` with each row of `range` (all rows by default) and its cells, in order; the
    /// cells are computed for the call and the array is reused between rows.
    public func forEachRow(in range: Range<Int>? = nil, _ body: (Int, [Value]) -> Void) {
        let range = range ?? 0..<count
        guard let producer, !range.isEmpty else { return }
        var reader = producer.reader()
        var cells: [Value] = []
        cells.reserveCapacity(columns.count)
        for i in range {
            reader.cells(of: Int(sourceRows[i]), into: &cells)
            body(i, cells)
        }
    }

    /// Row `i` as (column, value) pairs.
    public subscript(i: Int) -> [(column: String, value: Value)] {
        var pairs: [(column: String, value: Value)] = []
        forEachRow(in: i..<i + 1) { _, cells in pairs = Array(zip(columns, cells)) }
        return pairs
    }

    /// The title of listing `id` in the snapshot this worklist was read from (nil: no such
    /// listing, no title, or an empty worklist), for showing beside an id.
    public func listingTitle(id: String) -> String? {
        guard let listings = producer?.space.snapshot.listingTable, let row = listings.row(id: id) else { return nil }
        return Listing(table: listings, row: row).title
    }

    /// Every cell, row after row (computed now).
    public var cells: [Value] {
        var out: [Value] = []
        out.reserveCapacity(count * columns.count)
        forEachRow { _, cells in out.append(contentsOf: cells) }
        return out
    }
}

/// Computes worklist cells for source rows: the card's column programs, run with the
/// activation the evaluation used (`now`, `profile`, `params`, the time zone); a column that
/// reads only coded fields is read from the evaluation's memo of it. Readers on several threads
/// share it: nothing in it changes once the card has run.
final class WorklistCells: Sendable {
    let programs: [Program]
    /// The evaluation's memos of columns that read only coded fields: filled while the card ran
    /// (every worklist row's key is there unless its cell failed), only read from here on.
    let memos: [MemoValue?]
    let space: RowSpace
    let slotCount: Int
    let timeZone: CELTimeZone
    /// The slots every row shares (`now`, `profile`, `params`).
    let presets: [(slot: Int, value: Value)]

    init(programs: [Program], memos: [MemoValue?], space: RowSpace, template: Activation, presets: [Int]) {
        self.programs = programs
        self.memos = memos
        self.space = space
        slotCount = template.slotCount
        timeZone = template.timeZone
        self.presets = presets.map { ($0, template.slots[$0]) }
    }

    /// A reader of cells, for one thread at a time.
    func reader() -> Reader {
        let activation = Activation(slotCount: slotCount)
        activation.timeZone = timeZone
        for (slot, value) in presets { activation.slots[slot] = value }
        return Reader(space: space, activation: activation, evaluators: programs.map(\.closure), memos: memos)
    }

    /// Computes the cells of one row after another. Everything a row needs is held here, so
    /// that nothing is copied out of the producer per row.
    struct Reader {
        let space: RowSpace
        let activation: Activation
        let evaluators: [Evaluator]
        let memos: [MemoValue?]

        /// The cells of source row `row`, into `cells` (replacing its contents).
        mutating func cells(of row: Int, into cells: inout [Value]) {
            cells.removeAll(keepingCapacity: true)
            var bound = false
            for index in evaluators.indices {
                do throws(EvalError) {
                    if let memo = memos[index], let known = memo.known(row) {
                        cells.append(known)
                        continue
                    }
                    if !bound {
                        space.bind(activation, row)
                        bound = true
                    }
                    cells.append(try evaluators[index](activation))
                } catch {
                    cells.append(.null)  // the evaluation counted this row's error
                }
            }
        }
    }
}
