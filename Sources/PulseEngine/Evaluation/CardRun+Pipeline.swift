import PulseExpressions
import PulseSnapshot

/// How a run decides which rows pass a condition; everything after that is the same pipeline.
enum RowSelection {
    /// Conditions (`where`, a percent's condition) run as typed filters over batches of rows
    /// (``FilterPlanner``), and parts that read only coded fields are computed once per code
    /// combination. What `eval` runs.
    case planned
    /// Every expression runs through its compiled closure, one row at a time, so the
    /// activation's trace holds each row's values when the observer hears about it. What
    /// `explain` runs; the same results as ``planned``, errors included (BatchedEvaluationTests).
    case traced
}

extension CardRun {
    /// Source rows per batch under ``RowSelection/planned``: enough to run each filter in a tight
    /// loop, few enough to stay in cache.
    static let batchSize = 1024

    /// The one evaluation pipeline: for each batch of source rows, select the rows that pass
    /// `where` (as `selection` says), then per passing row the breakdown label, the measure, the
    /// running totals, `rows_where` and the worklist cells. Errors are counted per row in row
    /// order. An `observer` (only with ``RowSelection/traced``) hears each row's outcome.
    mutating func run(_ selection: RowSelection, observer: EvaluationObserver?) {
        assert(observer == nil || selection == .traced, "an observer reads the row's trace, which only the traced selection keeps")
        let activation = self.activation, compiled = self.compiled
        let space = RowSpace(source: compiled.card.from, snapshot: snapshot)
        let planner = FilterPlanner(space: space, activation: activation)
        let context = FilterContext(activation: activation, space: space)
        let planned = selection == .planned
        let filterPlan = planned ? compiled.filter.map { planner.plan($0.program.checked) } : nil
        let heldPlan = planned && measureKind == .percent ? compiled.measureArgument.map { planner.plan($0.program.checked) } : nil
        func memo(_ part: CompiledCard.Part) -> MemoValue? {
            guard planned else { return nil }
            return planner.codeKey(part.program.checked).map { MemoValue(key: $0, evaluator: part.program.closure) }
        }
        let groupMemo = compiled.groupBy.flatMap(memo)
        // The group of each code combination, once a row of it has been counted.
        var groupOfKey = KeyedResults<Int>(keyCount: groupMemo?.key.keyCount ?? 0)
        let columnMemos = compiled.columns.map { memo($0.part) }
        // The worklist keeps row numbers; its cells are computed when written. Here a column runs
        // only to count its errors, so one that cannot fail (a field of the row itself) is skipped.
        rows = Worklist(columns: rows.columns, producer: WorklistCells(
            programs: compiled.columns.map(\.part.program), memos: columnMemos, space: space,
            template: activation, presets: [Slots.now, Slots.profile, Slots.params]))
        let columnsToCheck = compiled.columns.indices.filter { !CardRun.cannotFail(compiled.columns[$0].part.program.checked, in: space) }
        let batchSize = planned ? CardRun.batchSize : 1
        let source = compiled.card.from, snapshot = self.snapshot

        struct RowError {
            let row: Int32
            let order: Int
            let part: CompiledCard.Part?
            let error: EvalError
        }
        var errors: [RowError] = []
        let trace = activation.trace ?? Trace()
        func tell(_ row: Int32, _ outcome: RowOutcome) {
            observer?.observe(space.context(Int(row)), outcome, trace: trace)
        }
        func record(_ row: Int32, _ part: CompiledCard.Part?, _ error: EvalError) {
            if let part { tell(row, .errored(part: part, error: error)) }
            errors.append(RowError(row: row, order: errors.count, part: part, error: error))
        }
        func observeCounted(_ row: Int32, _ contribution: RowOutcome.Contribution, worklist: [(column: String, value: Value)]?) {
            tell(row, .counted(contribution, worklist: worklist))
        }

        var batch: [Int32] = []
        batch.reserveCapacity(batchSize)
        var start = 0
        while start < space.count {
            let end = min(space.count, start + batchSize)
            batch.removeAll(keepingCapacity: true)
            for r in start..<end { batch.append(Int32(r)) }
            considered += end - start
            start = end
            errors.removeAll(keepingCapacity: true)
            if observer != nil { trace.reset() }  // one row per batch when traced

            // Select: the rows that pass `where`.
            var passed: [Int32] = [], unsure: [Int32] = []
            if let filterPlan {
                passed.reserveCapacity(batch.count)
                filterPlan.run(batch, yes: &passed, unknown: &unsure, context: context)
            } else if hasFilter {
                unsure = batch
            } else {
                passed = batch
            }
            if !unsure.isEmpty {
                var decided: [Int32] = []
                for row in unsure {
                    space.bind(activation, Int(row))
                    do throws(EvalError) {
                        if try filterEval(activation) { decided.append(row) } else { tell(row, .filteredOut) }
                    } catch {
                        record(row, compiled.filter, error)
                    }
                }
                passed = merged(passed, decided)
            }

            // Measure, count and list each row that passed.
            var held: [Int32] = [], heldUnsure: [Int32] = []
            if let heldPlan { heldPlan.run(passed, yes: &held, unknown: &heldUnsure, context: context) } else if measureKind == .percent && hasMeasure {
                heldUnsure = passed
            }
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
                            if measureKind == .sum { try checkSummable(measured) }
                        } catch {
                            record(row, compiled.measureArgument, error)
                            continue
                        }
                    }
                }
                var g = knownGroup
                if g == nil, let label {
                    let newGroup = group(label)
                    if groupMemo != nil { groupOfKey[groupKey] = newGroup }
                    g = newGroup
                }
                if let error = add(held: isHeld, measured: measured, group: g) {
                    record(row, compiled.measureArgument, error)
                    continue
                }
                let contribution = RowOutcome.Contribution(label: label, held: isHeld, measured: measured)
                if rowsWhereIsNotHeld && isHeld {
                    observeCounted(row, contribution, worklist: nil)
                    continue
                }
                if hasRowsWhere {
                    bindRow()
                    do throws(EvalError) {
                        guard try rowsWhereEval(activation) else {
                            observeCounted(row, contribution, worklist: nil)
                            continue
                        }
                    } catch {
                        record(row, compiled.rowsWhere, error)
                        continue
                    }
                }
                guard !columnPrograms.isEmpty else {
                    observeCounted(row, contribution, worklist: nil)
                    continue
                }
                for index in columnsToCheck {
                    do throws(EvalError) {
                        if let memo = columnMemos[index] {
                            _ = try memo.value(r, activation, bind: bindRow)
                        } else {
                            bindRow()
                            _ = try columnPrograms[index].program.evaluate(activation)
                        }
                    } catch {
                        record(row, compiled.columns[index].part, error)
                    }
                }
                rows.append(sourceRow: row)
                if observer != nil { observeCounted(row, contribution, worklist: rows[rows.count - 1]) }
            }
            if !errors.isEmpty {
                errors.sort { ($0.row, $0.order) < ($1.row, $1.order) }
                for e in errors { fail(e.part, e.error) { CardRun.describe(Int(e.row), from: source, in: snapshot) } }
            }
        }
    }

    /// Whether a worklist column's expression can never fail: a literal, or a field of the
    /// source's own row (never null).
    static func cannotFail(_ node: CheckedExpr, in space: RowSpace) -> Bool {
        switch node.kind {
        case .literal: return true
        case .field(let operand, _, _?, false):
            if case .variable(_, let slot) = operand.kind, slot == space.variables[0].slot, space.variables[0].map == nil { return true }
            return false
        default: return false
        }
    }
}
