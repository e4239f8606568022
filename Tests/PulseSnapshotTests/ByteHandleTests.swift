import Foundation
import Testing
@testable import PulseSnapshot

/// The handles that hold the loader's pointer work: ByteRun, MappedFile, WorkerSlots.
@Suite struct ByteHandleTests {
    private func withRun<R>(_ text: String, _ body: (ByteRun) -> R) -> R {
        Array(text.utf8).withUnsafeBufferPointer { body(ByteRun($0)) }
    }

    @Test func firstIndexFindsEachByteAndStopsAtTheEnd() {
        withRun("ab\ncd\n\nx") { run in
            #expect(run.firstIndex(of: 0x0A, from: 0) == 2)
            #expect(run.firstIndex(of: 0x0A, from: 3) == 5)
            #expect(run.firstIndex(of: 0x0A, from: 6) == 6)
            #expect(run.firstIndex(of: 0x0A, from: 7) == nil)
            #expect(run.firstIndex(of: 0x0A, from: run.count) == nil)
            #expect(run.occurrences(of: 0x0A) == 3)
        }
        withRun("") { run in
            #expect(run.firstIndex(of: 0x0A, from: 0) == nil)
            #expect(run.occurrences(of: 0x0A) == 0)
        }
    }

    /// Words are compared eight bytes at a time and the tail byte by byte: a difference in
    /// either part is found, and a word that runs past the end never matches.
    @Test func matchesComparesWordsAndTails() {
        withRun("xx\"freight_template_id\": 7") { run in
            for (word, at, expected) in [("\"freight_template_id\": ", 2, true), ("\"freight_template_iD\": ", 2, false),
                                         ("\"Freight_template_id\": ", 2, false), ("7", 25, true), ("7 ", 25, false), ("", 26, true), ("x", 26, false)] {
                let matched = Array(word.utf8).withUnsafeBufferPointer { run.matches(ByteRun($0), at: at) }
                #expect(matched == expected, "\(word) at \(at)")
            }
        }
    }

    @Test func wordsAreLittleEndianAndUnaligned() {
        withRun("_null1234567") { run in
            #expect(run.word32(at: 1) == UInt32(littleEndian: 0x6C6C_756E))
            #expect(run.word64(at: 4) == UInt64(littleEndian: 0x3736_3534_3332_316C))
            #expect(String(decoding: run.slice(1..<5), as: UTF8.self) == "null")
        }
    }

    @Test func aMappedFileReadsItsBytesAndMapsNothingForAnEmptyFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pulse-mapped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = String(repeating: "{\"id\":\"L1\"}\n", count: 1_000)
        let path = dir.appendingPathComponent("a.jsonl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let fd = try LineReader.openRegularFile(path)
        defer { close(fd) }
        let file = try #require(MappedFile(fd: fd, size: text.utf8.count))
        #expect(file.read { $0.occurrences(of: 0x0A) } == 1_000)
        file.release(0..<file.count)
        // Released pages read again from the file.
        #expect(file.read { String(decoding: $0.slice(0..<11), as: UTF8.self) } == "{\"id\":\"L1\"}")
        #expect(MappedFile(fd: fd, size: 0) == nil)
    }

    @Test func workerSlotsAreChangedInPlaceByTheirOwnWorker() {
        let slots = WorkerSlots<[Int]>(count: 4) { [] }
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for k in 0..<1_000 { slots[worker].append(worker * 1_000 + k) }
        }
        for worker in 0..<4 {
            #expect(slots[worker].count == 1_000)
            #expect(slots[worker].first == worker * 1_000)
        }
    }
}
