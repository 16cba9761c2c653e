import Foundation
import TesseraTensor

/// A `.safetensors` file: an 8-byte little-endian header length, a JSON header mapping tensor
/// names to dtype/shape/byte range, then the raw little-endian data. The file is memory-mapped and
/// its header fully validated on open, so a truncated or corrupt file is refused before any
/// tensor is used.
public final class SafeTensorsFile: @unchecked Sendable {
    /// Where one tensor lives in the file.
    public struct Entry: Sendable, Equatable {
        public var dtype: TensorDType
        public var shape: [Int]
        /// Byte range relative to the start of the data section.
        public var dataRange: Range<Int>
    }

    public let path: String
    /// Tensor entries by name.
    public let entries: [String: Entry]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]
    /// Dtype and shape of every tensor (the `TensorArchive` view of `entries`).
    public let tensorInfos: [String: TensorInfo]
    /// Byte offset of the data section (8 + header length); tensor data ranges are relative to it.
    public let dataStart: Int
    let file: MappedFile

    /// Opens and validates `path`.
    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    /// Validates an already mapped file.
    public init(file: MappedFile) throws {
        let path = file.path
        self.path = path
        self.file = file
        func fail(_ problem: String) -> CheckpointError { CheckpointError(path: path, problem: problem) }
        guard file.count >= 8 else {
            throw fail("not a safetensors file: \(file.count) bytes is shorter than the 8-byte header length")
        }
        var headerLength: UInt64 = 0
        withUnsafeMutableBytes(of: &headerLength) { $0.copyMemory(from: file.bytes(0..<8)) }
        headerLength = UInt64(littleEndian: headerLength)
        guard headerLength <= 100_000_000 else {
            throw fail("not a safetensors file: header length \(headerLength) is implausible (bad header)")
        }
        guard 8 + Int(headerLength) <= file.count else {
            throw fail("truncated: header claims \(headerLength) bytes but the file has \(file.count - 8) after the length")
        }
        dataStart = 8 + Int(headerLength)
        let headerData = Data(file.bytes(8..<dataStart))
        guard let json = try? JSONSerialization.jsonObject(with: headerData), let header = json as? [String: Any] else {
            throw fail("bad header: the JSON header does not parse")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        let dataSize = file.count - dataStart
        for (name, value) in header {
            if name == "__metadata__" {
                if let m = value as? [String: Any] {
                    for (k, v) in m { metadata[k] = v as? String ?? "\(v)" }
                }
                continue
            }
            guard let info = value as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shape = (info["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (info["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2 else {
                throw fail("bad header: entry '\(name)' lacks dtype, shape or data_offsets")
            }
            guard let dtype = TensorDType(rawValue: dtypeName) else {
                throw fail("tensor '\(name)' has unsupported dtype \(dtypeName)")
            }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw fail("bad header: entry '\(name)' has a negative shape or reversed offsets")
            }
            let expected = shape.reduce(1, *) * dtype.size
            guard offsets[1] - offsets[0] == expected else {
                throw fail("tensor '\(name)' shape \(shape) \(dtypeName) needs \(expected) bytes but its range holds \(offsets[1] - offsets[0])")
            }
            guard offsets[1] <= dataSize else {
                throw fail("truncated: tensor '\(name)' ends at byte \(offsets[1]) of a \(dataSize)-byte data section")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, dataRange: offsets[0]..<offsets[1])
        }
        self.entries = entries
        self.metadata = metadata
        self.tensorInfos = entries.mapValues { TensorInfo(dtype: $0.dtype, shape: $0.shape) }
    }

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The raw bytes of a tensor as stored (little-endian, its own dtype).
    public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        guard let e = entries[name] else {
            throw CheckpointError(path: path, problem: "missing tensor '\(name)'")
        }
        return file.bytes((dataStart + e.dataRange.lowerBound)..<(dataStart + e.dataRange.upperBound))
    }

    /// The tensor `name` converted to Float32.
    public func tensor(_ name: String) throws -> Tensor {
        guard let e = entries[name] else {
            throw CheckpointError(path: path, problem: "missing tensor '\(name)'")
        }
        let raw = try rawBytes(name)
        return Tensor(shape: e.shape, data: DTypeConversion.floats(from: raw, dtype: e.dtype))
    }

    /// The tensor `name` as 64-bit integers (token ids and the like).
    public func integers(_ name: String) throws -> [Int64] {
        guard let e = entries[name] else {
            throw CheckpointError(path: path, problem: "missing tensor '\(name)'")
        }
        return DTypeConversion.integers(from: try rawBytes(name), dtype: e.dtype)
    }
}
