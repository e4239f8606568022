import PulseConfig
import PulseExpressions
import PulseSnapshot

/// Runs a compiled card over a snapshot: filter, measure, breakdown, worklist and alert.
public struct CardEvaluator: Sendable {
    /// How many error examples a card keeps.
    public static let errorExampleLimit = 5
    /// Source rows per batch: enough to run each filter in a tight loop, few enough to stay in cache.
    static let batchSize = 1024

    /// The merchant.
    public let profile: ResolvedProfile
    /// The snapshot.
    public let snapshot: Snapshot
    /// `now` for every expression.
    public let now: CELTimestamp
    /// Recorded values for spike rules (nil: no history, so spikes have no baseline).
    public let baselines: BaselineSource?

    /// An evaluator of cards over `snapshot` for `profile` at `now`.
    public init(profile: ResolvedProfile, snapshot: Snapshot, now: CELTimestamp, baselines: BaselineSource? = nil) {
        self.profile = profile
        self.snapshot = snapshot
        self.now = now
        self.baselines = baselines
    }

    /// The running totals of one group (or of the whole card).
    private struct Accumulator {
        var passed = 0
        var held = 0
        var distinct = Set<ValueKey>()
        var sum = 0.0
    }

    /// Evaluates `compiled` with `settings`; an `observer` hears what happened to each row.
    public func evaluate(_ compiled: CompiledCard, settings: CardSettings, observer: EvaluationObserver? = nil) -> CardResult {
        let card = compiled.card
        let activation = Activation(slotCount: compiled.slotCount)
        activation.slots[Slots.now] = .timestamp(now)
        activation.slots[Slots.profile] = .object(ProfileObject(profile))
        activation.slots[Slots.params] = .object(ParamsObject(settings.params))

        var total = Accumulator()
        // Breakdown groups: labels are few (statuses, reasons), so a short list searched by bytes
        // beats hashing every row's label; a table takes over past 16 labels.
        var groupLabels: [String] = []
        var groupTotals: [Accumulator] = []
        var groupIndex: [String: Int] = [:]
        func group(_ label: String) -> Int {
            if groupLabels.count <= 16 {
                for (i, known) in groupLabels.enumerated() where Value.sameScalars(known, label) { return i }
            } else if let i = groupIndex[label] {
                return i
            }
            groupLabels.append(label)
            groupTotals.append(Accumulator())
            if groupLabels.count > 16 {
                if groupIndex.isEmpty { for (i, known) in groupLabels.enumerated() { groupIndex[known] = i } }
                groupIndex[label] = groupLabels.count - 1
            }
            return groupLabels.count - 1
        }
        var rows = Worklist(columns: compiled.columns.map(\.name))
        var errorCount = 0
        var examples: [String] = []
        var considered = 0

        var current = RowContext(listing: nil, sku: nil, event: nil)

        // Hoisted out of the row loop so that no part (with its source text and scalar) is
        // copied per row; the parts themselves are only touched on the error path.
        enum MeasureKind { case count, countDistinct, sum, percent }
        let measureKind: MeasureKind
        switch card.measure {
        case .count: measureKind = .count
        case .countDistinct: measureKind = .countDistinct
        case .sum: measureKind = .sum
        case .percent: measureKind = .percent
        }
        // Non-optional closures and flags: unwrapping an optional program per row would copy
        // (and retain) it every time.
        let nothing: Evaluator = { _ in .null }
        let always: BoolEvaluator = { _ in true }
        let hasFilter = compiled.filter != nil, filterEval = compiled.filter?.program.conditionClosure ?? always
        let hasGroup = compiled.groupBy != nil, groupEval = compiled.groupBy?.program.closure ?? nothing
        let hasMeasure = compiled.measureArgument != nil, measureEval = compiled.measureArgument?.program.closure ?? nothing
        let heldEval = compiled.measureArgument?.program.conditionClosure ?? always
        let measureOffset = compiled.measureArgument?.program.checked.offset ?? 0
        var hasRowsWhere = compiled.rowsWhere != nil
        let rowsWhereEval = compiled.rowsWhere?.program.conditionClosure ?? always
        // A worklist of the rows where a percent's condition fails (`rows_where: !(measure)`)
        // reuses the measure's result instead of evaluating the same expression twice.
        var rowsWhereIsNotHeld = false
        if measureKind == .percent, observer == nil, let rowsWhere = compiled.rowsWhere?.program.checked,
           let argument = compiled.measureArgument?.program.checked,
           case .call(Operator.not, let operands) = rowsWhere.kind, operands.count == 1,
           ExpressionPrinter.text(operands[0]) == ExpressionPrinter.text(argument) {
            rowsWhereIsNotHeld = true
            hasRowsWhere = false
        }
        let columnPrograms = compiled.columns.map { (name: $0.name, program: $0.part.program) }
        let tracing = observer != nil

        func count(_ acc: inout Accumulator, held: Bool, measured: Value) {
            acc.passed += 1
            switch measureKind {
            case .count: break
            case .percent: if held { acc.held += 1 }
            case .countDistinct: acc.distinct.insert(ValueKey(measured))
            case .sum:
                if case .int(let i) = measured { acc.sum += Double(i) }
                if case .double(let d) = measured { acc.sum += d }
            }
        }

        func fail(_ part: CompiledCard.Part?, _ error: EvalError, _ row: () -> String) {
            guard let part else { return }
            observer?.observe(current, .errored(part: part, error: error))
            errorCount += 1
            guard examples.count < CardEvaluator.errorExampleLimit else { return }
            let location = part.expression.location(ofOffset: error.offset ?? 0)
            examples.append("\(row()): \(part.field): \(error.message) (at \(location))")
        }

        func visit(_ row: () -> String) {
            considered += 1
            if tracing { compiled.resetTraces() }
            if hasFilter {
                do throws(EvalError) {
                    guard try filterEval(activation) else {
                        if tracing { observer?.observe(current, .filteredOut) }
                        return
                    }
                } catch {
                    fail(compiled.filter, error, row)
                    return
                }
            }
            var label: String?
            if hasGroup {
                do throws(EvalError) { label = try groupEval(activation).label } catch {
                    fail(compiled.groupBy, error, row)
                    return
                }
            }
            var held = false
            var measured: Value = .null
            if hasMeasure {
                do throws(EvalError) {
                    if measureKind == .percent {
                        held = try heldEval(activation)
                    } else {
                        measured = try measureEval(activation)
                        if measureKind == .sum {
                            switch measured {
                            case .int, .double: break
                            case .null: throw EvalError("sum() got null; guard it with has() or != null in where", offset: measureOffset)
                            default: throw EvalError("sum() needs a number, got \(measured.typeName)", offset: measureOffset)
                            }
                        }
                    }
                } catch {
                    fail(compiled.measureArgument, error, row)
                    return
                }
            }
            count(&total, held: held, measured: measured)
            if let label { count(&groupTotals[group(label)], held: held, measured: measured) }

            if rowsWhereIsNotHeld && held {
                if tracing { observer?.observe(current, .counted(.init(label: label, held: held, measured: measured), worklist: nil)) }
                return
            }
            if hasRowsWhere {
                do throws(EvalError) {
                    guard try rowsWhereEval(activation) else {
                        if tracing { observer?.observe(current, .counted(.init(label: label, held: held, measured: measured), worklist: nil)) }
                        return
                    }
                } catch {
                    fail(compiled.rowsWhere, error, row)
                    return
                }
            }
            guard !columnPrograms.isEmpty else {
                if tracing { observer?.observe(current, .counted(.init(label: label, held: held, measured: measured), worklist: nil)) }
                return
            }
            var cells: [(column: String, value: Value)] = []
            cells.reserveCapacity(columnPrograms.count)
            for (index, column) in columnPrograms.enumerated() {
                do throws(EvalError) { cells.append((column.name, try column.program.evaluate(activation))) } catch {
                    fail(compiled.columns[index].part, error, row)
                    cells.append((column.name, .null))
                }
            }
            rows.append(cells.map(\.value))
            if tracing { observer?.observe(current, .counted(.init(label: label, held: held, measured: measured), worklist: cells)) }
        }

        /// Every row, one at a time, with the observer told about each (explain).
        func visitEachRow() {
            let listings = snapshot.listingTable
            switch card.from {
            case .listings:
                for row in 0..<listings.count {
                    activation.slots[Slots.listing] = .row(RowRef(listings, row))
                    if tracing { current = RowContext(listing: Listing(table: listings, row: row), sku: nil, event: nil) }
                    visit {
                        let listing = Listing(table: listings, row: row)
                        return "listings.jsonl:\(listing.line) (listing \(listing.id))"
                    }
                }
            case .skus:
                let skus = listings.skus
                for row in 0..<listings.count {
                    activation.slots[Slots.listing] = .row(RowRef(listings, row))
                    for skuRow in listings.skuRows(row) {
                        activation.slots[Slots.sku] = .row(RowRef(skus, skuRow))
                        activation.slots[Slots.bc] = skus.stockValue(skuRow)
                        if tracing {
                            current = RowContext(listing: Listing(table: listings, row: row), sku: SKUVariant(table: skus, row: skuRow), event: nil)
                        }
                        visit {
                            let listing = Listing(table: listings, row: row), sku = SKUVariant(table: skus, row: skuRow)
                            return "listings.jsonl:\(listing.line) (listing \(listing.id), sku \(sku.code))"
                        }
                    }
                }
            case .auditEvents:
                let events = snapshot.eventTable
                for row in 0..<events.count {
                    activation.slots[Slots.event] = .row(RowRef(events, row))
                    activation.slots[Slots.listing] = events.listingValue(row)
                    if tracing {
                        let event = AuditEvent(table: events, row: row)
                        current = RowContext(listing: event.listing, sku: nil, event: event)
                    }
                    visit {
                        let event = AuditEvent(table: events, row: row)
                        return "audit_events.jsonl:\(event.line) (listing \(event.listingID))"
                    }
                }
            }
        }

        /// Where a source row came from, for error examples.
        func describe(_ row: Int) -> String {
            switch card.from {
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

        if tracing {
            visitEachRow()
        } else {
            // Rows in batches: conditions run as typed filters over many rows at once (see
            // FilterPlanner); the rest of a counted row (label, measure, worklist) row by row.
            let space = RowSpace(source: card.from, snapshot: snapshot)
            let planner = FilterPlanner(space: space, activation: activation)
            let context = FilterContext(activation: activation, space: space)
            let filterPlan = compiled.filter.map { planner.plan($0.program.checked) }
            let heldPlan = measureKind == .percent ? compiled.measureArgument.map { planner.plan($0.program.checked) } : nil
            func memo(_ part: CompiledCard.Part) -> MemoValue? {
                planner.codeKey(planner.reads(part.program.checked)).map { MemoValue(key: $0, evaluator: part.program.closure) }
            }
            let groupMemo = compiled.groupBy.flatMap(memo)
            // The group of each code combination, once a row of it has been counted.
            var groupOfKey = KeyedResults<Int>(keyCount: groupMemo?.key.keyCount ?? 0)
            let columnMemos = compiled.columns.map { memo($0.part) }
            struct RowError {
                let row: Int32
                let order: Int
                let part: CompiledCard.Part?
                let error: EvalError
            }
            var batch: [Int32] = []
            batch.reserveCapacity(CardEvaluator.batchSize)
            var start = 0
            while start < space.count {
                let end = min(space.count, start + CardEvaluator.batchSize)
                batch.removeAll(keepingCapacity: true)
                for r in start..<end { batch.append(Int32(r)) }
                considered += end - start
                start = end
                var errors: [RowError] = []
                func record(_ row: Int32, _ part: CompiledCard.Part?, _ error: EvalError) {
                    errors.append(RowError(row: row, order: errors.count, part: part, error: error))
                }
                var passed: [Int32] = [], unsure: [Int32] = []
                if let filterPlan {
                    passed.reserveCapacity(batch.count)
                    filterPlan.run(batch, yes: &passed, unknown: &unsure, context: context)
                } else {
                    passed = batch
                }
                if !unsure.isEmpty {
                    var decided: [Int32] = []
                    for row in unsure {
                        space.bind(activation, Int(row))
                        do throws(EvalError) { if try filterEval(activation) { decided.append(row) } } catch { record(row, compiled.filter, error) }
                    }
                    passed = merged(passed, decided)
                }
                var held: [Int32] = [], heldUnsure: [Int32] = []
                heldPlan?.run(passed, yes: &held, unknown: &heldUnsure, context: context)
                var nextHeld = 0, nextUnsure = 0
                for row in passed {
                    let r = Int(row)
                    var bound = false
                    func bindRow() {
                        if !bound { space.bind(activation, r); bound = true }
                    }
                    var label: String?
                    var groupKey = 0, knownGroup: Int?
                    if let groupMemo {
                        groupKey = groupMemo.key.key(r)
                        knownGroup = groupOfKey[groupKey]
                    }
                    if hasGroup && knownGroup == nil {
                        do throws(EvalError) {
                            if let groupMemo { label = try groupMemo.value(r, activation, bind: bindRow).label } else {
                                bindRow()
                                label = try groupEval(activation).label
                            }
                        } catch {
                            record(row, compiled.groupBy, error)
                            continue
                        }
                    }
                    var isHeld = false
                    var measured: Value = .null
                    if hasMeasure {
                        if measureKind == .percent {
                            while nextHeld < held.count && held[nextHeld] < row { nextHeld += 1 }
                            while nextUnsure < heldUnsure.count && heldUnsure[nextUnsure] < row { nextUnsure += 1 }
                            if nextHeld < held.count && held[nextHeld] == row {
                                isHeld = true
                            } else if nextUnsure < heldUnsure.count && heldUnsure[nextUnsure] == row {
                                bindRow()
                                do throws(EvalError) { isHeld = try heldEval(activation) } catch {
                                    record(row, compiled.measureArgument, error)
                                    continue
                                }
                            }
                        } else {
                            bindRow()
                            do throws(EvalError) {
                                measured = try measureEval(activation)
                                if measureKind == .sum {
                                    switch measured {
                                    case .int, .double: break
                                    case .null: throw EvalError("sum() got null; guard it with has() or != null in where", offset: measureOffset)
                                    default: throw EvalError("sum() needs a number, got \(measured.typeName)", offset: measureOffset)
                                    }
                                }
                            } catch {
                                record(row, compiled.measureArgument, error)
                                continue
                            }
                        }
                    }
                    count(&total, held: isHeld, measured: measured)
                    if let knownGroup {
                        count(&groupTotals[knownGroup], held: isHeld, measured: measured)
                    } else if let label {
                        let g = group(label)
                        if groupMemo != nil { groupOfKey[groupKey] = g }
                        count(&groupTotals[g], held: isHeld, measured: measured)
                    }
                    if rowsWhereIsNotHeld && isHeld { continue }
                    if hasRowsWhere {
                        bindRow()
                        do throws(EvalError) { guard try rowsWhereEval(activation) else { continue } } catch {
                            record(row, compiled.rowsWhere, error)
                            continue
                        }
                    }
                    guard !columnPrograms.isEmpty else { continue }
                    for (index, column) in columnPrograms.enumerated() {
                        do throws(EvalError) {
                            if let memo = columnMemos[index] {
                                rows.appendCell(try memo.value(r, activation, bind: bindRow))
                            } else {
                                bindRow()
                                rows.appendCell(try column.program.evaluate(activation))
                            }
                        } catch {
                            record(row, compiled.columns[index].part, error)
                            rows.appendCell(.null)
                        }
                    }
                    rows.endRow()
                }
                if !errors.isEmpty {
                    errors.sort { ($0.row, $0.order) < ($1.row, $1.order) }
                    for e in errors { fail(e.part, e.error) { describe(Int(e.row)) } }
                }
            }
        }

        func value(_ acc: Accumulator) -> Double? {
            switch card.measure {
            case .count: return Double(acc.passed)
            case .countDistinct: return Double(acc.distinct.count)
            case .sum: return acc.sum
            case .percent: return acc.passed == 0 ? nil : 100 * Double(acc.held) / Double(acc.passed)
            }
        }
        let cardValue = value(total)
        let breakdown = compiled.groupBy == nil ? nil : zip(groupLabels, groupTotals).map { (label: $0.0, value: value($0.1)) }.sorted {
            ($0.value ?? -.infinity, $1.label) > ($1.value ?? -.infinity, $0.label)
        }
        let isPercent = { if case .percent = card.measure { return true } else { return false } }()
        var spike: SpikeOutcome?
        if let rule = settings.alert?.spike {
            let since = CELTimestamp(seconds: now.seconds - Int64(rule.baseline.seconds), nanos: now.nanos) ?? now
            var history: [Double] = []
            var unreadable: String?
            do { history = try baselines?.values(card: card.key.value, from: since, before: now) ?? [] } catch {
                unreadable = "\(error)"
            }
            if let unreadable {
                spike = .unavailable(unreadable)
            } else if history.isEmpty {
                spike = .noBaseline
            } else {
                spike = .compared(median: SpikeRule.median(history), count: history.count,
                                  holds: cardValue.flatMap { rule.holds($0, history: history) } ?? false)
            }
        }
        let comparisonHolds = cardValue.map { settings.alert?.trigger?.holds($0) ?? false } ?? false
        let spikeHolds = { if case .compared(_, _, true)? = spike { return true } else { return false } }()
        return CardResult(
            card: card, settings: settings, value: cardValue,
            numerator: isPercent ? Double(total.held) : cardValue,
            denominator: isPercent ? Double(total.passed) : nil,
            firing: comparisonHolds || spikeHolds, spike: spike,
            breakdown: breakdown, rows: rows, errorCount: errorCount, errorExamples: examples, rowsConsidered: considered,
            snapshot: snapshot)
    }
}
