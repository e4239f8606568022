import Foundation

/// A snapshot folder being written: files go into a hidden temporary folder beside the target
/// (`.<name>.tmp-<pid>`, which readers skip), are fsynced, and the folder is renamed into place
/// only by ``commit()``. A failed or killed pull leaves at most that hidden folder; earlier
/// snapshots are never touched.
final class StagingFolder {
    /// The folder the snapshot will have (for a default name, `<name>-2`, `-3`, ... when another
    /// pull took the name first, e.g. two pulls in the same second).
    private(set) var target: String
    /// Whether a taken name is suffixed rather than refused (a default name, not `--out`).
    private let suffixIfTaken: Bool
    /// Where it is written meanwhile.
    let temporary: String
    private var committed = false

    init(target: String, suffixIfTaken: Bool = false) throws(PullError) {
        var target = target
        while target.count > 1 && target.hasSuffix("/") { target.removeLast() }
        self.suffixIfTaken = suffixIfTaken
        if suffixIfTaken { target = Self.free(target) }
        self.target = target
        let url = URL(fileURLWithPath: target)
        let parent = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        temporary = parent + "/.\(name).tmp-\(getpid())"
        if FileManager.default.fileExists(atPath: target) {
            throw PullError(.config, "\(target) already exists; a pull never overwrites a snapshot (choose another --out)")
        }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        } catch {
            throw PullError(.output, "cannot create \(temporary): \(Self.reason(error))")
        }
        Self.removeStale(in: parent, name: name)
    }

    /// A file of the snapshot, open for writing.
    func file(_ name: String) throws(PullError) -> RowFile {
        try RowFile(path: temporary + "/" + name, shownAs: name)
    }

    /// Renames the finished folder into place (after fsyncing it), then fsyncs the parent.
    func commit() throws(PullError) {
        Self.fsyncPath(temporary)
        while true {
            // Never replace: another pull may have written the same folder meanwhile. A default
            // name moves on to the next free suffix; an --out is left unfinished.
            if FileManager.default.fileExists(atPath: target) {
                guard suffixIfTaken else { throw PullError(.output, "\(target) appeared while pulling; the pull is left unfinished") }
                target = Self.free(target)
                continue
            }
            if rename(temporary, target) == 0 { break }
            let error = errno
            if suffixIfTaken && (error == EEXIST || error == ENOTEMPTY) { continue }
            throw PullError(.output, "cannot rename \(temporary) to \(target): \(String(cString: strerror(error)))")
        }
        committed = true
        Self.fsyncPath(URL(fileURLWithPath: target).deletingLastPathComponent().path)
    }

    /// `path` if nothing has that name, else the first of `path-2`, `path-3`, ... that is free
    /// (the suffix of an already suffixed name counts on).
    static func free(_ path: String) -> String {
        guard FileManager.default.fileExists(atPath: path) else { return path }
        let (base, n) = SnapshotName.split(URL(fileURLWithPath: path).lastPathComponent)
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var next = max(n, 1) + 1
        while FileManager.default.fileExists(atPath: parent + "/\(base)-\(next)") { next += 1 }
        return parent + "/\(base)-\(next)"
    }

    /// Removes the temporary folder unless committed.
    func discard() {
        if !committed { try? FileManager.default.removeItem(atPath: temporary) }
    }

    deinit { discard() }

    /// Temporary folders of pulls that were killed (their process is gone), for any target in
    /// the profile's folder: default folder names are new every pull, so only a sweep of the
    /// whole folder ever finds them.
    private static func removeStale(in parent: String, name: String) {
        SnapshotRetention.removeAbandonedStaging(in: parent)
    }

    /// The pid of a staging folder's name (`.<name>.tmp-<pid>`), nil for any other name.
    static func pid(ofStaging entry: String) -> Int32? {
        guard entry.hasPrefix("."), let range = entry.range(of: ".tmp-", options: .backwards), range.lowerBound > entry.index(after: entry.startIndex) else { return nil }
        let digits = entry[range.upperBound...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let pid = Int32(digits), pid > 0 else { return nil }
        return pid
    }

    static func fsyncPath(_ path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}

/// Snapshot folder names: `20260318T080000Z`, and `20260318T080000Z-2`, `-3`, ... for later pulls
/// that took the same name (two pulls in the same second).
public enum SnapshotName {
    /// The name without its numeric suffix, and the suffix (1 without one); only a name ending
    /// in `Z` (a time) before the dash has one.
    public static func split(_ name: String) -> (base: String, number: Int) {
        guard let dash = name.lastIndex(of: "-"), name[..<dash].hasSuffix("Z"), let n = Int(name[name.index(after: dash)...]), n >= 2,
              name[name.index(after: dash)...].allSatisfy(\.isASCII) else { return (name, 1) }
        return (String(name[..<dash]), n)
    }

    /// Whether `a` comes before `b`: by name, a suffix counted as a number (`-9` before `-10`).
    public static func precedes(_ a: String, _ b: String) -> Bool {
        let (x, y) = (split(a), split(b))
        return x.base != y.base ? x.base < y.base : x.number < y.number
    }
}

/// One file of a snapshot, written through a buffer; every write error (a full disk) is a
/// ``PullError`` naming the file.
final class RowFile {
    private let fd: Int32
    private let shownAs: String
    private var buffer: [UInt8] = []
    private(set) var rows = 0
    private var closed = false

    init(path: String, shownAs: String) throws(PullError) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        self.shownAs = shownAs
        guard fd >= 0 else { throw PullError(.output, "cannot create \(shownAs): \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(1 << 20)
    }

    /// Appends one row (a line, newline included).
    func append(_ line: [UInt8]) throws(PullError) {
        buffer.append(contentsOf: line)
        rows += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends bytes as they are (a whole file copied).
    func appendRaw(_ bytes: [UInt8]) throws(PullError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(PullError) {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { b -> Int in b.baseAddress.map { write(fd, $0 + offset, b.count - offset) } ?? 0 }
            if n < 0 {
                if errno == EINTR { continue }
                throw PullError(.output, "writing \(shownAs): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, fsyncs and closes the file.
    func close() throws(PullError) {
        guard !closed else { return }
        try flush()
        closed = true
        let synced = fsync(fd) == 0
        let error = errno
        _ = Glibc.close(fd)
        if !synced { throw PullError(.output, "writing \(shownAs): \(String(cString: strerror(error)))") }
    }

    deinit { if !closed { _ = Glibc.close(fd) } }
}
