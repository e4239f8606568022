import Foundation

/// A snapshot folder being written: files go into a hidden temporary folder beside the target
/// (`.<name>.tmp-<pid>`, which readers skip), are fsynced, and the folder is renamed into place
/// only by ``commit()``. A failed or killed pull leaves at most that hidden folder; earlier
/// snapshots are never touched.
final class StagingFolder {
    /// The folder the snapshot will have.
    let target: String
    /// Where it is written meanwhile.
    let temporary: String
    private var committed = false

    init(target: String) throws(PullError) {
        var target = target
        while target.count > 1 && target.hasSuffix("/") { target.removeLast() }
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
        // Fail rather than replace: another pull may have written the same folder meanwhile.
        if FileManager.default.fileExists(atPath: target) {
            throw PullError(.output, "\(target) appeared while pulling; the pull is left unfinished")
        }
        guard rename(temporary, target) == 0 else {
            throw PullError(.output, "cannot rename \(temporary) to \(target): \(String(cString: strerror(errno)))")
        }
        committed = true
        Self.fsyncPath(URL(fileURLWithPath: target).deletingLastPathComponent().path)
    }

    /// Removes the temporary folder unless committed.
    func discard() {
        if !committed { try? FileManager.default.removeItem(atPath: temporary) }
    }

    deinit { discard() }

    /// Temporary folders of pulls that were killed (their process is gone), for the same target.
    private static func removeStale(in parent: String, name: String) {
        let prefix = ".\(name).tmp-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: parent + "/" + entry) }
        }
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
