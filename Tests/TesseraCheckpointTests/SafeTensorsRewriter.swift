import Foundation

/// Writes a copy of a safetensors file with an edited header (same data section), so tests can
/// make files with missing tensors or altered shapes from the reference models.
enum SafeTensorsRewriter {
    static func rewrite(_ source: String, to destination: URL, edit: (inout [String: Any]) -> Void) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: source))
        let length = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        var header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as! [String: Any]
        edit(&header)
        let json = try JSONSerialization.data(withJSONObject: header)
        var out = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(data.subdata(in: (8 + length)..<data.count))
        try out.write(to: destination)
    }

    /// A copy of `source` holding only its first `count` bytes.
    static func truncate(_ source: String, to destination: URL, count: Int) throws {
        try Data(contentsOf: URL(fileURLWithPath: source)).prefix(count).write(to: destination)
    }
}
