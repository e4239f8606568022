import PulseExpressions

/// The audit events one worker decoded from a run of lines (joined to their listings): good
/// rows as columns, bad rows as problems, both in line order.
struct EventBatch: RowBatch {
    var columns = EventColumns()
    var refused: [RefusedRow] = []

    mutating func reset() {
        columns.resetSlots()
        refused.removeAll()
    }

    /// Adds a good row.
    @inline(__always)
    mutating func append(listingID: UnsafeBufferPointer<UInt8>, at: CELTimestamp, from: ListingStatus?, to: ListingStatus,
                         reason: UnsafeBufferPointer<UInt8>?, line: Int, listings: ListingTable) {
        columns.listingIDs.append(listingID)
        columns.at.append(at)
        columns.from.append(from?.code ?? noCode)
        columns.to.append(to.code)
        if let reason { columns.reasons.append(reason) } else { columns.reasons.appendNull() }
        columns.lines.append(line)
        columns.listingRows.append(listings.row(id: listingID).map { Int32($0) } ?? -1)
    }

    /// Decodes a line the fast path gave up on: every problem is worded here.
    mutating func decodeGeneral(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, listings: ListingTable) {
        guard let members = GeneralLine.members(bytes, line: line, refused: &refused) else { return }
        var r = RowReader(members)
        let listingID = r.requiredString(EventField.listingID)
        let at = r.timestamp(EventField.at, required: true)
        let to = r.status(EventField.to, required: true)
        let from = r.status(EventField.from, required: false)
        let reason = r.optionalString(EventField.reason)
        guard r.problems.isEmpty, let listingID, let at, let to else {
            refused.append(RefusedRow(line: line, key: nil, problems: r.problems))
            return
        }
        withBytes(listingID) { id in
            withOptionalBytes(reason) { reason in
                append(listingID: id, at: at, from: from, to: to, reason: reason, line: line, listings: listings)
            }
        }
    }
}
