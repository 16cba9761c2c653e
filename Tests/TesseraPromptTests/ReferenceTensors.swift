import Foundation

/// The few safetensors reads this test target needs (F32 and I64), without depending on
/// TesseraCheckpoint: TesseraPrompt's tests must only need TesseraPrompt.
struct ReferenceTensors {
    private let data: Data
    private let headerEnd: Int
    private let entries: [String: (dtype: String, shape: [Int], start: Int, end: Int)]

    init(path: String) throws {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count >= 8 else { throw Self.error("\(path) is shorter than a safetensors header") }
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        headerEnd = 8 + headerLength
        guard headerEnd <= data.count,
              let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) as? [String: Any] else {
            throw Self.error("\(path) has a broken header")
        }
        var entries: [String: (String, [Int], Int, Int)] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw Self.error("\(path): tensor \(name) has a broken entry")
            }
            entries[name] = (dtype, shape, offsets[0], offsets[1])
        }
        self.entries = entries
    }

    func floats(_ name: String) throws -> [Float] {
        guard let e = entries[name], e.dtype == "F32" else { throw Self.error("no F32 tensor \(name)") }
        return data.subdata(in: (headerEnd + e.start)..<(headerEnd + e.end)).withUnsafeBytes {
            Array($0.bindMemory(to: Float.self))
        }
    }

    func ints(_ name: String) throws -> [Int] {
        guard let e = entries[name], e.dtype == "I64" else { throw Self.error("no I64 tensor \(name)") }
        return data.subdata(in: (headerEnd + e.start)..<(headerEnd + e.end)).withUnsafeBytes {
            $0.bindMemory(to: Int64.self).map { Int($0) }
        }
    }

    func shape(_ name: String) -> [Int]? { entries[name]?.shape }

    private static func error(_ message: String) -> NSError {
        NSError(domain: "ReferenceTensors", code: 1, userInfo: [NSLocalizedDescriptionKey: message])
    }
}
