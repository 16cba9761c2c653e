/// A finished tile on disk: a small header (magic, rectangle, checksum) followed by RGBA8 pixels.
///
/// The checksum is verified on every load, so a torn or corrupted file is detected at restart and the tile is simply
/// rendered again instead of poisoning the output.
public struct TileResultFile: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    static let magic: [UInt8] = Array("TSRT0001".utf8)
    static let headerSize = 8 + 4 * 4 + 8

    public init(x: Int, y: Int, width: Int, height: Int, pixels: [UInt8]) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public var checksum: UInt64 { fnv1a64(pixels) }

    public func encoded() -> [UInt8] {
        var out = Self.magic
        out.reserveCapacity(Self.headerSize + pixels.count)
        for v in [x, y, width, height] { appendLE(&out, UInt32(v)) }
        appendLE(&out, checksum)
        out.append(contentsOf: pixels)
        return out
    }

    public static func decode(_ bytes: [UInt8], path: String) throws -> TileResultFile {
        func bad(_ reason: String) -> ClusterError { .fileUnreadable(path: path, reason: reason) }
        guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic else { throw bad("not a tile result file") }
        func u32(_ at: Int) -> Int { Int(readLE(bytes, at, UInt32.self)) }
        let tile = TileResultFile(
            x: u32(8), y: u32(12), width: u32(16), height: u32(20), pixels: Array(bytes[headerSize...]))
        guard tile.pixels.count == tile.width * tile.height * 4 else { throw bad("pixel data has the wrong length") }
        guard tile.checksum == readLE(bytes, 24, UInt64.self) else { throw bad("checksum mismatch") }
        return tile
    }

    public static func load(_ path: String) throws -> TileResultFile {
        try decode(AtomicFile.read(path), path: path)
    }
}

func appendLE<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
}

func readLE<T: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int, _: T.Type) -> T {
    var value: T = 0
    for i in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + i]) << (8 * i) }
    return value
}
