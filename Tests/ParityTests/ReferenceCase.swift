import Foundation
import TesseraCheckpoint
import TesseraTensor
import XCTest

/// One case of the reference set: `cases/<group>/<name>.safetensors` (tensors `input.*`,
/// `output.*`) and its `.json` (scalar parameters).
///
/// The reference folder is `TESSERA_REFERENCE_DIR` if set, else the copy inside the repo, so
/// the same suite can be pointed at another reference set with the same layout. A missing
/// case fails loudly: it is never skipped.
struct ReferenceCase {
    let group: String
    let name: String
    let tensors: SafeTensorsFile
    let parameters: [String: Any]

    /// Root of the reference set.
    static var root: URL {
        if let dir = ProcessInfo.processInfo.environment["TESSERA_REFERENCE_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/reference")
    }

    /// A path inside the reference set, e.g. `models/unet`.
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    init(_ group: String, _ name: String) throws {
        self.group = group
        self.name = name
        let base = Self.root.appendingPathComponent("cases/\(group)/\(name)")
        tensors = try SafeTensorsFile(path: base.path + ".safetensors")
        let json = try Data(contentsOf: URL(fileURLWithPath: base.path + ".json"))
        parameters = (try JSONSerialization.jsonObject(with: json) as? [String: Any]) ?? [:]
    }

    func input(_ name: String) throws -> Tensor { try tensors.tensor("input.\(name)") }
    func output(_ name: String) throws -> Tensor { try tensors.tensor("output.\(name)") }
}

/// `max|a - b| / max|b|` with `b` the reference, as the reference README defines it.
func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shape \(a.shape) vs reference \(b.shape)")
    var maxDiff: Float = 0, maxRef: Float = 0
    for i in 0..<a.count {
        maxDiff = max(maxDiff, abs(a.data[i] - b.data[i]))
        maxRef = max(maxRef, abs(b.data[i]))
    }
    return maxRef == 0 ? maxDiff : maxDiff / maxRef
}

/// Asserts that `actual` matches `reference` within `tolerance` (relative, README's measure).
func assertClose(_ actual: Tensor, _ reference: Tensor, tolerance: Float, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, reference.shape, "\(what): shape", file: file, line: line)
    guard actual.shape == reference.shape else { return }
    let rel = relativeError(actual, reference)
    XCTAssertLessThanOrEqual(rel, tolerance, "\(what): rel error \(rel) > \(tolerance)", file: file, line: line)
}
