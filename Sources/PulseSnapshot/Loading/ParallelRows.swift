import Foundation

/// A line of a JSON Lines file read the general way (after the fast path gave up).
enum GeneralLine {
    case blank
    case badJSON(String)
    case object([JSONMember])

    /// The members of the object on the line, or nil for a blank line or one that is not a JSON
    /// object (which is added to `refused`).
    static func members(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, refused: inout [RefusedRow]) -> [JSONMember]? {
        switch parse(bytes) {
        case .blank: return nil
        case .badJSON(let message):
            refused.append(RefusedRow(line: line, key: nil, problems: [message]))
            return nil
        case .object(let members): return members
        }
    }

    /// Parses `bytes` as one JSON object (or a blank line).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> GeneralLine {
        var blank = true
        for b in bytes where b != 0x20 && b != 0x09 { blank = false; break }
        if blank { return .blank }
        do throws(JSONSyntaxError) {
            let value = try JSONParser.parse(bytes)
            guard case .object(let members) = value else { return .badJSON("each line must be a JSON object, not \(value.kindName)") }
            return .object(members)
        } catch {
            return .badJSON("bad JSON at column \(error.offset + 1): \(error.message)")
        }
    }
}

/// What one worker fills from its run of lines; reused (emptied, storage kept) chunk after chunk.
protocol RowBatch: Sendable {
    init()
    /// Forgets the rows, keeping storage.
    mutating func reset()
}

/// Decodes the lines of a JSON Lines source on every core: each worker fills a batch (columns
/// and problems) from a contiguous run of lines, and the batches are applied in line order on
/// the calling thread (so that duplicate checks and error reports stay sequential and
/// deterministic).
enum ParallelRows {
    static let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))

    /// Runs `decode` over every line (number, bytes) of every run of lines, on the workers, each
    /// into its own batch, then hands the batches to `apply` in order. Each worker takes a
    /// contiguous part of the run (cut at a line break) and finds its own lines. Applying a run's
    /// batches (sequential work: the key index, the copy into the table) overlaps with decoding
    /// the next run, into a second set of batches.
    static func run<Batch: RowBatch>(runs: ((UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Void,
                                     decode: @escaping @Sendable (inout Batch, Int, UnsafeBufferPointer<UInt8>) -> Void,
                                     finish: (@Sendable (inout Batch) -> Void)? = nil,
                                     apply: @escaping (inout Batch) -> Void) throws {
        let sets = (0..<2).map { _ in WorkerSlots<Batch>(count: workers) { Batch() } }
        let lineCounts = WorkerSlots<Int>(count: workers) { 0 }
        let applying = DispatchGroup()
        let applier = DispatchQueue(label: "pulse.loader.apply")
        let applyBatch = UnsafeSendable(apply)
        defer { applying.wait() }
        var nextLine = 1
        var number = 0
        try runs { buffer in
            let run = ByteRun(buffer)
            guard run.count > 0 else { return }
            // Cut the run into one part per worker, each starting after a line break.
            var cuts = [0]
            for w in 1..<workers {
                let at = run.count * w / workers
                guard at > cuts[cuts.count - 1], let found = run.firstIndex(of: 0x0A, from: at) else { break }
                let cut = found + 1
                if cut < run.count && cut > cuts[cuts.count - 1] { cuts.append(cut) }
            }
            cuts.append(run.count)
            let parts = cuts.count - 1
            let batches = sets[number % 2]
            number += 1
            for i in 0..<parts { batches[i].reset() }
            let firstLine = nextLine, bounds = cuts
            DispatchQueue.concurrentPerform(iterations: parts) { worker in
                // A worker's first line number: the lines before its part (a quick count).
                let before = worker == 0 ? 0 : LineReader.count(newlinesIn: run.slice(0..<bounds[worker]))
                var seen = 0
                LineReader.lines(in: run.slice(bounds[worker]..<bounds[worker + 1]), firstLine: firstLine + before) { line, bytes in
                    decode(&batches[worker], line, bytes)
                    seen += 1
                }
                finish?(&batches[worker])
                lineCounts[worker] = seen
            }
            for i in 0..<parts { nextLine += lineCounts[i] }
            // The previous run's apply must be done before this one starts (order) and before
            // its batches are decoded into again (the run after this one).
            applying.wait()
            applier.async(group: applying) {
                for i in 0..<parts { applyBatch.value(&batches[i]) }
            }
        }
    }
}

/// One slot per worker, each read and written by its own worker only while the workers run,
/// and by the owner only before they start and after they finish: the loader's per-worker
/// batches and line counts, and `concurrentMap`'s results.
// @unchecked Sendable: workers touch disjoint slots (slot `i` belongs to worker `i`), and the
// owner touches them only outside `DispatchQueue.concurrentPerform` or after the applier's
// `DispatchGroup` is waited for, both of which order the accesses.
package final class WorkerSlots<Element>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Element>
    /// How many slots.
    package let count: Int

    /// `count` slots, each `make()`.
    package init(count: Int, _ make: () -> Element) {
        precondition(count > 0, "at least one worker slot")
        self.count = count
        base = .allocate(capacity: count)
        for i in 0..<count { (base + i).initialize(to: make()) }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Slot `i`, read or changed in place (no copy of the element).
    package subscript(i: Int) -> Element {
        unsafeAddress {
            assert(i >= 0 && i < count, "slot \(i) of \(count)")
            return UnsafePointer(base + i)
        }
        unsafeMutableAddress {
            assert(i >= 0 && i < count, "slot \(i) of \(count)")
            return base + i
        }
    }
}

/// Hands the loader's `apply` step (a closure over the loader's state, not Sendable) to the
/// applier queue: the one such wrapper.
// @unchecked: the closure runs on the applier queue only, one batch set at a time, and the
// loader's own thread does not touch the state it changes until `applying.wait()` returns.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
