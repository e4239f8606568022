import PulseConfig
import PulseExpressions
import PulseSnapshot

/// One evaluation of one card over a snapshot: the card's compiled parts ready to run, and the
/// running totals (overall and per group), the worklist and the errors. ``CardEvaluator`` makes
/// one, feeds it the rows (one at a time for `explain`, in batches otherwise) and turns it into a
/// ``CardResult``.
struct CardRun {
    /// The running totals of one group (or of the whole card).
    struct Accumulator {
        var passed = 0
        var held = 0
        var distinct = Set<ValueKey>()
        /// `sum()` of doubles.
        var sum = 0.0
        /// `sum()` of ints, kept exact (an addition that would overflow is a row error).
        var intSum: Int64 = 0
        var sawDouble = false
    }

    enum MeasureKind { case count, countDistinct, sum, percent }

    let compiled: CompiledCard
    let snapshot: Snapshot
    let activation: Activation
    let measureKind: MeasureKind
    // Non-optional closures and flags: unwrapping an optional program per row would copy (and
    // retain) it every time. The parts themselves are only touched on the error path.
    let hasFilter: Bool, filterEval: BoolEvaluator
    let hasGroup: Bool, groupEval: Evaluator
    let hasMeasure: Bool, measureEval: Evaluator, heldEval: BoolEvaluator
    let measureOffset: Int
    let hasRowsWhere: Bool, rowsWhereEval: BoolEvaluator
    /// A worklist of the rows where a percent's condition fails (`rows_where: !(measure)`)
    /// reuses the measure's result instead of evaluating the same expression twice.
    let rowsWhereIsNotHeld: Bool
    let columnPrograms: [(name: String, program: Program)]

    var total = Accumulator()
    // Breakdown groups: labels are few (statuses, reasons), so a short list searched by bytes
    // beats hashing every row's label; a table takes over past 16 labels.
    var groupLabels: [String] = []
    var groupTotals: [Accumulator] = []
    var groupIndex: [CodePointString: Int] = [:]
    var rows: Worklist
    var errorCount = 0
    var examples: [String] = []
    var considered = 0

    /// A run of `compiled` with `activation` (its `now`, `profile` and `params` already set).
    init(_ compiled: CompiledCard, snapshot: Snapshot, activation: Activation) {
        self.compiled = compiled
        self.snapshot = snapshot
        self.activation = activation
        switch compiled.card.measure {
        case .count: measureKind = .count
        case .countDistinct: measureKind = .countDistinct
        case .sum: measureKind = .sum
        case .percent: measureKind = .percent
        }
        let nothing: Evaluator = { _ in .null }
        let always: BoolEvaluator = { _ in true }
        hasFilter = compiled.filter != nil
        filterEval = compiled.filter?.program.conditionClosure ?? always
        hasGroup = compiled.groupBy != nil
        groupEval = compiled.groupBy?.program.closure ?? nothing
        hasMeasure = compiled.measureArgument != nil
        measureEval = compiled.measureArgument?.program.closure ?? nothing
        heldEval = compiled.measureArgument?.program.conditionClosure ?? always
        measureOffset = compiled.measureArgument?.program.checked.offset ?? 0
        rowsWhereEval = compiled.rowsWhere?.program.conditionClosure ?? always
        var notHeld = false
        if measureKind == .percent, let rowsWhere = compiled.rowsWhere?.program.checked,
           let argument = compiled.measureArgument?.program.checked,
           case .call(Operator.not, let operands) = rowsWhere.kind, operands.count == 1,
           ExpressionPrinter.text(operands[0]) == ExpressionPrinter.text(argument) {
            notHeld = true
        }
        rowsWhereIsNotHeld = notHeld
        hasRowsWhere = compiled.rowsWhere != nil && !notHeld
        columnPrograms = compiled.columns.map { (name: $0.name, program: $0.part.program) }
        rows = Worklist(columns: compiled.columns.map(\.name))
    }

    /// The index of the group with `label`, added when new.
    mutating func group(_ label: String) -> Int {
        if groupLabels.count <= 16 {
            for (i, known) in groupLabels.enumerated() where Value.sameScalars(known, label) { return i }
        } else if let i = groupIndex[CodePointString(label)] {
            return i
        }
        groupLabels.append(label)
        groupTotals.append(Accumulator())
        if groupLabels.count > 16 {
            if groupIndex.isEmpty { for (i, known) in groupLabels.enumerated() { groupIndex[CodePointString(known)] = i } }
            groupIndex[CodePointString(label)] = groupLabels.count - 1
        }
        return groupLabels.count - 1
    }

    /// Counts a row that passed `where` into `acc` (static: a method of `self` called with one of
    /// self's own accumulators inout would copy the whole run on every row).
    static func count(_ acc: inout Accumulator, _ measureKind: MeasureKind, held: Bool, measured: Value) {
        acc.passed += 1
        switch measureKind {
        case .count: break
        case .percent: if held { acc.held += 1 }
        case .countDistinct: acc.distinct.insert(ValueKey(measured))
        case .sum:
            if case .int(let i) = measured { acc.intSum &+= i }  // add(held:measured:group:) checked it fits
            if case .double(let d) = measured { acc.sum += d; acc.sawDouble = true }
        }
    }

    /// Counts a row that passed `where` into the total and into group `g`; for an int `sum()`
    /// whose total would leave Int64, counts nothing and returns the row's error.
    mutating func add(held: Bool, measured: Value, group g: Int?) -> EvalError? {
        if measureKind == .sum, case .int(let i) = measured {
            let overflows = total.intSum.addingReportingOverflow(i).overflow
                || (g.map { groupTotals[$0].intSum.addingReportingOverflow(i).overflow } ?? false)
            if overflows {
                return EvalError("integer overflow in sum(): adding \(i) takes the total past the 64-bit range", offset: measureOffset)
            }
        }
        CardRun.count(&total, measureKind, held: held, measured: measured)
        if let g { CardRun.count(&groupTotals[g], measureKind, held: held, measured: measured) }
        return nil
    }

    /// Counts a row whose `part` raised `error`, keeping the first few as examples.
    mutating func fail(_ part: CompiledCard.Part?, _ error: EvalError, _ row: () -> String) {
        guard part != nil else { return }
        errorCount += 1
        guard let part, examples.count < CardEvaluator.errorExampleLimit else { return }
        let location = part.expression.location(ofOffset: error.offset ?? 0)
        examples.append("\(row()): \(part.field): \(error.message) (at \(location))")
    }

    /// A `sum()` measure's value must be a number.
    func checkSummable(_ measured: Value) throws(EvalError) {
        switch measured {
        case .int, .double: break
        case .null: throw EvalError("sum() got null; guard it with has() or != null in where", offset: measureOffset)
        default: throw EvalError("sum() needs a number, got \(measured.typeName)", offset: measureOffset)
        }
    }

    /// Where source row `row` of a card reading `source` came from, for error examples.
    static func describe(_ row: Int, from source: RowSource, in snapshot: Snapshot) -> String {
        switch source {
        case .listings:
            let listing = Listing(table: snapshot.listingTable, row: row)
            return "listings.jsonl:\(listing.line) (listing \(listing.id))"
        case .skus:
            let sku = SKUVariant(table: snapshot.listingTable.skus, row: row)
            let listing = Listing(table: snapshot.listingTable, row: Int(snapshot.listingTable.skus.listingRows[row]))
            return "listings.jsonl:\(listing.line) (listing \(listing.id), sku \(sku.code))"
        case .auditEvents:
            let event = AuditEvent(table: snapshot.eventTable, row: row)
            return "audit_events.jsonl:\(event.line) (listing \(event.listingID))"
        }
    }


    /// The value of an accumulator as an exact integer, when the measure gives one (a count, or
    /// a sum of ints only); nil otherwise.
    func integerValue(_ acc: Accumulator) -> Int64? {
        switch compiled.card.measure {
        case .count: return Int64(acc.passed)
        case .countDistinct: return Int64(acc.distinct.count)
        case .sum: return acc.sawDouble ? nil : acc.intSum
        case .percent: return nil
        }
    }

    /// The value of an accumulator, as the card's measure defines it.
    func value(_ acc: Accumulator) -> Double? {
        switch compiled.card.measure {
        case .count: return Double(acc.passed)
        case .countDistinct: return Double(acc.distinct.count)
        case .sum: return acc.sawDouble ? Double(acc.intSum) + acc.sum : Double(acc.intSum)
        case .percent: return acc.passed == 0 ? nil : 100 * Double(acc.held) / Double(acc.passed)
        }
    }
}
