/// The central directory of a zip archive read from a memory-mapped file: enough to locate the
/// stored (uncompressed) members of a torch checkpoint. Zip64 sizes and offsets are supported,
/// since a full SD1.x checkpoint with EMA weights exceeds 4 GB.
public struct ZipDirectory: Sendable {
    /// One archive member.
    public struct Entry: Sendable, Equatable {
        public var name: String
        /// 0 = stored, 8 = deflated, …
        public var method: UInt16
        public var compressedSize: Int
        public var size: Int
        /// Absolute file offset of the member's data (after its local header).
        public var dataOffset: Int
    }

    /// Members by name.
    public let entries: [String: Entry]

    /// Reads the directory of `file`; throws a `CheckpointError` naming the file for anything that
    /// is not a complete zip.
    public init(file: MappedFile) throws {
        func fail(_ problem: String) -> CheckpointError { CheckpointError(path: file.path, problem: problem) }
        let reader = ByteReader(file: file)
        // The end-of-central-directory record is the last 22 bytes plus an optional comment (< 64 KiB).
        let minStart = max(0, file.count - 22 - 0xFFFF)
        var eocd = -1
        var p = file.count - 22
        while p >= minStart {
            if reader.u32(p) == 0x0605_4B50 { eocd = p; break }
            p -= 1
        }
        guard eocd >= 0 else {
            throw fail("truncated or not a zip archive: no end-of-central-directory record")
        }
        var count = Int(reader.u16(eocd + 10))
        var directorySize = Int(reader.u32(eocd + 12))
        var directoryOffset = Int(reader.u32(eocd + 16))
        // Zip64: a locator sits right before the classic record and points at the zip64 record.
        if eocd >= 20, reader.u32(eocd - 20) == 0x0706_4B50 {
            let z = Int(clamping: reader.u64(eocd - 20 + 8))
            guard z >= 0, z <= file.count - 56, reader.u32(z) == 0x0606_4B50 else {
                throw fail("bad zip64 end-of-central-directory record")
            }
            count = Int(clamping: reader.u64(z + 32))
            directorySize = Int(clamping: reader.u64(z + 40))
            directoryOffset = Int(clamping: reader.u64(z + 48))
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset <= file.count, directorySize <= file.count - directoryOffset else {
            throw fail("truncated: the zip central directory lies outside the file")
        }
        var entries: [String: Entry] = [:]
        var q = directoryOffset
        for _ in 0..<count {
            guard q + 46 <= file.count, reader.u32(q) == 0x0201_4B50 else {
                throw fail("bad zip central directory entry at byte \(q)")
            }
            let method = reader.u16(q + 10)
            var compressed = Int(reader.u32(q + 20))
            var size = Int(reader.u32(q + 24))
            let nameLength = Int(reader.u16(q + 28))
            let extraLength = Int(reader.u16(q + 30))
            let commentLength = Int(reader.u16(q + 32))
            var localOffset = Int(reader.u32(q + 42))
            let end = q + 46 + nameLength + extraLength + commentLength
            guard end <= file.count else { throw fail("truncated zip central directory") }
            let name = String(decoding: file.bytes((q + 46)..<(q + 46 + nameLength)), as: UTF8.self)
            // Zip64 extended information: only the fields saturated in the fixed part are present.
            var e = q + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = reader.u16(e)
                let length = Int(reader.u16(e + 2))
                if id == 0x0001 {
                    var f = e + 4
                    if size == 0xFFFF_FFFF, f + 8 <= e + 4 + length { size = Int(clamping: reader.u64(f)); f += 8 }
                    if compressed == 0xFFFF_FFFF, f + 8 <= e + 4 + length { compressed = Int(clamping: reader.u64(f)); f += 8 }
                    if localOffset == 0xFFFF_FFFF, f + 8 <= e + 4 + length { localOffset = Int(clamping: reader.u64(f)); f += 8 }
                }
                e += 4 + length
            }
            guard localOffset >= 0, localOffset <= file.count - 30, reader.u32(localOffset) == 0x0403_4B50 else {
                throw fail("truncated: zip member '\(name)' has no local header inside the file")
            }
            let dataOffset = localOffset + 30 + Int(reader.u16(localOffset + 26)) + Int(reader.u16(localOffset + 28))
            guard compressed >= 0, size >= 0, dataOffset <= file.count, compressed <= file.count - dataOffset else {
                throw fail("truncated: zip member '\(name)' ends past the end of the file")
            }
            // A stored member's data is its bytes; differing sizes would make reads leave the member.
            guard method != 0 || size == compressed else {
                throw fail("bad zip member '\(name)': stored with size \(size) but \(compressed) bytes of data")
            }
            entries[name] = Entry(name: name, method: method, compressedSize: compressed, size: size, dataOffset: dataOffset)
            q = end
        }
        self.entries = entries
    }
}

/// Little-endian integer reads from a mapped file; callers check bounds first.
struct ByteReader {
    let file: MappedFile

    func u16(_ at: Int) -> UInt16 {
        guard at >= 0, at + 2 <= file.count else { return 0 }
        return UInt16(littleEndian: file.bytes(at..<(at + 2)).loadUnaligned(as: UInt16.self))
    }

    func u32(_ at: Int) -> UInt32 {
        guard at >= 0, at + 4 <= file.count else { return 0 }
        return UInt32(littleEndian: file.bytes(at..<(at + 4)).loadUnaligned(as: UInt32.self))
    }

    func u64(_ at: Int) -> UInt64 {
        guard at >= 0, at + 8 <= file.count else { return 0 }
        return UInt64(littleEndian: file.bytes(at..<(at + 8)).loadUnaligned(as: UInt64.self))
    }
}
