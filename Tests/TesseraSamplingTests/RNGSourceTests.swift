import TesseraSampling
import XCTest

final class RNGSourceTests: XCTestCase {
    func testRNGSourceParsesA1111NamesCaseInsensitively() throws {
        XCTAssertEqual(try RNGSource(parsing: "CPU"), .cpu)
        XCTAssertEqual(try RNGSource(parsing: "nv"), .nv)
    }

    func testGPUSourceIsRefusedWithAnExplanationListingKnownSources() {
        XCTAssertThrowsError(try RNGSource(parsing: "GPU")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("CPU") && text.contains("NV") && text.contains("not reproducible"), text)
        }
    }
}
