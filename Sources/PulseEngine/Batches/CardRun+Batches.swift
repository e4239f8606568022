import PulseExpressions
import PulseSnapshot

extension CardRun {
    /// Source rows per batch: enough to run each filter in a tight loop, few enough to stay in cache.
    static let batchSize = 1024

    /// Runs the rows in batches: conditions (`where`, a percent's condition) run as typed filters
    /// over many rows at once (``FilterPlanner``); the rest of a counted row (its label, measure
    /// and worklist cells) row by row, with parts that read only coded fields computed once per
    /// code combination. Gives exactly what ``runRowByRow(observer:)`` gives, errors included.
    mutating func runInBatches() {
        let activation = self.activation, compiled = self.compiled
        let space = RowSpace(source: compiled.card.from, snapshot: snapshot)
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
        batch.reserveCapacity(CardRun.batchSize)
        var start = 0
        while start < space.count {
            let end = min(space.count, start + CardRun.batchSize)
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
                let source = compiled.card.from, snapshot = self.snapshot
                for e in errors { fail(e.part, e.error) { CardRun.describe(Int(e.row), from: source, in: snapshot) } }
            }
        }
    }
}
