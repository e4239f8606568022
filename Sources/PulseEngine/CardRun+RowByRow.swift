import PulseExpressions
import PulseSnapshot

extension CardRun {
    /// Runs every row one at a time, telling `observer` (if any) what happened to each: the
    /// evaluation `explain` traces, and the reference the batched evaluation is tested against.
    mutating func runRowByRow(observer: EvaluationObserver?) {
        var current = RowContext(listing: nil, sku: nil, event: nil)
        let tracing = observer != nil
        let activation = self.activation, compiled = self.compiled

        func fail(_ run: inout CardRun, _ part: CompiledCard.Part?, _ error: EvalError, _ row: () -> String) {
            if let part { observer?.observe(current, .errored(part: part, error: error)) }
            run.fail(part, error, row)
        }

        func visit(_ run: inout CardRun, _ row: () -> String) {
            run.considered += 1
            if tracing { compiled.resetTraces() }
            if run.hasFilter {
                do throws(EvalError) {
                    guard try run.filterEval(activation) else {
                        observer?.observe(current, .filteredOut)
                        return
                    }
                } catch {
                    fail(&run, compiled.filter, error, row)
                    return
                }
            }
            var label: String?
            if run.hasGroup {
                do throws(EvalError) { label = try run.groupEval(activation).label } catch {
                    fail(&run, compiled.groupBy, error, row)
                    return
                }
            }
            var held = false
            var measured: Value = .null
            if run.hasMeasure {
                do throws(EvalError) {
                    if run.measureKind == .percent {
                        held = try run.heldEval(activation)
                    } else {
                        measured = try run.measureEval(activation)
                        if run.measureKind == .sum { try run.checkSummable(measured) }
                    }
                } catch {
                    fail(&run, compiled.measureArgument, error, row)
                    return
                }
            }
            if let error = run.add(held: held, measured: measured, group: label.map { run.group($0) }) {
                fail(&run, compiled.measureArgument, error, row)
                return
            }
            let counted = RowOutcome.Contribution(label: label, held: held, measured: measured)
            if run.rowsWhereIsNotHeld && held {
                observer?.observe(current, .counted(counted, worklist: nil))
                return
            }
            if run.hasRowsWhere {
                do throws(EvalError) {
                    guard try run.rowsWhereEval(activation) else {
                        observer?.observe(current, .counted(counted, worklist: nil))
                        return
                    }
                } catch {
                    fail(&run, compiled.rowsWhere, error, row)
                    return
                }
            }
            guard !run.columnPrograms.isEmpty else {
                observer?.observe(current, .counted(counted, worklist: nil))
                return
            }
            var cells: [(column: String, value: Value)] = []
            cells.reserveCapacity(run.columnPrograms.count)
            for (index, column) in run.columnPrograms.enumerated() {
                do throws(EvalError) { cells.append((column.name, try column.program.evaluate(activation))) } catch {
                    fail(&run, compiled.columns[index].part, error, row)
                    cells.append((column.name, .null))
                }
            }
            run.rows.append(cells.map(\.value))
            observer?.observe(current, .counted(counted, worklist: cells))
        }

        let snapshot = self.snapshot, source = compiled.card.from
        let listings = snapshot.listingTable
        switch source {
        case .listings:
            for row in 0..<listings.count {
                activation.slots[Slots.listing] = .row(RowRef(listings, row))
                if tracing { current = RowContext(listing: Listing(table: listings, row: row), sku: nil, event: nil) }
                visit(&self) { CardRun.describe(row, from: source, in: snapshot) }
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
                    visit(&self) { CardRun.describe(skuRow, from: source, in: snapshot) }
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
                visit(&self) { CardRun.describe(row, from: source, in: snapshot) }
            }
        }
    }
}
