import Foundation

/// Locations of the shared reference models and this target's own small fixtures.
enum FixturePaths {
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let reference = testsFolder.appendingPathComponent("Fixtures/reference")
    static let models = reference.appendingPathComponent("models")
    static let manifest = reference.appendingPathComponent("manifest")
    static let checkpoint = testsFolder.appendingPathComponent("Fixtures/checkpoint")

    static func model(_ relative: String) -> String { models.appendingPathComponent(relative).path }
    static func fixture(_ name: String) -> String { checkpoint.appendingPathComponent(name).path }

    /// A fresh temporary folder for files a test writes.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
