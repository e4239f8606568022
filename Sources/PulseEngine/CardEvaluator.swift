import PulseConfig
import PulseExpressions
import PulseSnapshot

/// Runs a compiled card over a snapshot: filter, measure, breakdown, worklist and alert.
public struct CardEvaluator: Sendable {
    /// How many error examples a card keeps.
    public static let errorExampleLimit = 5

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
        var rows: [[(column: String, value: Value)]] = []
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
            func add(_ acc: inout Accumulator) {
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
            add(&total)
            if let label { add(&groupTotals[group(label)]) }

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
            rows.append(cells)
            if tracing { observer?.observe(current, .counted(.init(label: label, held: held, measured: measured), worklist: cells)) }
        }

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
