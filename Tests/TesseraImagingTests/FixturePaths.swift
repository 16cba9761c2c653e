import Foundation
import TesseraImaging

/// Locations of committed test data, found relative to this source file so tests run
/// from any working directory.
enum FixturePaths {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let pngSuite = repositoryRoot.appendingPathComponent("Tests/Fixtures/pngsuite/png")
    static let pngSuiteJSON = repositoryRoot.appendingPathComponent("Tests/Fixtures/pngsuite/json")
    static let imaging = repositoryRoot.appendingPathComponent("Tests/Fixtures/imaging")
    static let resample = imaging.appendingPathComponent("resample")
    static let samples = repositoryRoot.appendingPathComponent("tiles/samples")

    static func sample(_ name: String) throws -> RGBAImage {
        try PNGImage.read(path: samples.appendingPathComponent("\(name).png").path).rgba8
    }

    /// A fresh scratch directory, removed by the caller's `addTeardownBlock`.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-imaging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Largest absolute per-sample difference between two equally sized images.
func maximumDifference(_ a: RGBAImage, _ b: RGBAImage) -> Int {
    precondition(a.width == b.width && a.height == b.height)
    var worst = 0
    for index in a.pixels.indices {
        worst = max(worst, abs(Int(a.pixels[index]) - Int(b.pixels[index])))
    }
    return worst
}
