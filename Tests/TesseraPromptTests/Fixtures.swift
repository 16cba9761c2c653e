import Foundation
import XCTest
@testable import TesseraPrompt

/// Reference files under Tests/Fixtures/reference (or `TESSERA_REFERENCE_DIR`).
enum Fixtures {
    static var referenceRoot: URL {
        if let dir = ProcessInfo.processInfo.environment["TESSERA_REFERENCE_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/reference")
    }

    /// Data generated for this test target by `Generators/*.py` (committed next to the tests).
    static var localRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Data")
    }

    static func json(_ url: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw NSError(domain: "Fixtures", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(url.path) is not a JSON object"])
        }
        return object
    }

    static func cases(_ url: URL) throws -> [[String: Any]] {
        guard let cases = try json(url)["cases"] as? [[String: Any]], !cases.isEmpty else {
            throw NSError(domain: "Fixtures", code: 2, userInfo: [NSLocalizedDescriptionKey: "\(url.path) has no cases"])
        }
        return cases
    }

    static func tokenizer() throws -> CLIPTokenizer { try CLIPTokenizer.bundled() }
}

extension Array where Element == Any {
    var ints: [Int] { map { ($0 as! NSNumber).intValue } }
    var doubles: [Double] { map { ($0 as! NSNumber).doubleValue } }
}
