import TesseraSampling
import XCTest

final class SamplerNameTests: XCTestCase {
    func testA1111SamplerLabelsAndAliasesParse() throws {
        XCTAssertEqual(try SamplerKind(parsing: "Euler a"), .eulerAncestral)
        XCTAssertEqual(try SamplerKind(parsing: "k_euler_a"), .eulerAncestral)
        XCTAssertEqual(try SamplerKind(parsing: "euler"), .euler)
        XCTAssertEqual(try SamplerKind(parsing: "DPM++ 2M"), .dpmpp2M)
        XCTAssertEqual(try SamplerKind(parsing: "DPM++ SDE"), .dpmppSDE)
        XCTAssertEqual(try SamplerKind(parsing: "DPM++ 2M SDE"), .dpmpp2MSDE)
        XCTAssertEqual(try SamplerKind(parsing: "DDIM"), .ddim)
        for kind in SamplerKind.allCases { XCTAssertEqual(try SamplerKind(parsing: kind.label), kind) }
    }

    func testUnknownSamplerErrorNamesItAndListsEveryKnownSampler() {
        XCTAssertThrowsError(try SamplerKind(parsing: "Euler b")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("'Euler b'"), text)
            for kind in SamplerKind.allCases { XCTAssertTrue(text.contains(kind.label), "\(kind.label) missing from: \(text)") }
        }
        XCTAssertThrowsError(try SamplerSelection(parsing: "Nonsense Karras")) { error in
            XCTAssertTrue(String(describing: error).contains("unknown sampler"), String(describing: error))
        }
    }

    func testUnknownSchedulerErrorListsKnownSchedulers() {
        XCTAssertThrowsError(try SigmaScheduler(parsing: "cosine")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("'cosine'") && text.contains("Karras") && text.contains("Exponential"), text)
        }
    }

    func testSchedulerNamesAndLabelsParse() throws {
        XCTAssertEqual(try SigmaScheduler(parsing: "karras"), .karras)
        XCTAssertEqual(try SigmaScheduler(parsing: "Automatic"), .automatic)
        XCTAssertEqual(try SigmaScheduler(parsing: "SGM Uniform"), .sgmUniform)
        XCTAssertEqual(try SigmaScheduler(parsing: "sgm_uniform"), .sgmUniform)
        XCTAssertEqual(try SigmaScheduler(parsing: "discrete"), .uniform)
    }

    func testLegacyCombinedNamesSplitIntoSamplerAndScheduleWithTheDefaultReportedAsAutomatic() throws {
        XCTAssertEqual(try SamplerSelection(parsing: "DPM++ 2M Karras"), SamplerSelection(sampler: .dpmpp2M, scheduler: .automatic))
        XCTAssertEqual(try SamplerSelection(parsing: "DPM++ 2M SDE Karras"), SamplerSelection(sampler: .dpmpp2MSDE, scheduler: .karras))
        XCTAssertEqual(try SamplerSelection(parsing: "Euler a Exponential"), SamplerSelection(sampler: .eulerAncestral, scheduler: .exponential))
        XCTAssertEqual(try SamplerSelection(parsing: "DPM++ 2M SDE Heun"), SamplerSelection(sampler: .dpmpp2MSDEHeun))
        XCTAssertEqual(try SamplerSelection(parsing: "Euler", scheduler: "karras"), SamplerSelection(sampler: .euler, scheduler: .karras))
    }

    func testAutomaticResolvesToEachSamplersA1111Default() {
        XCTAssertEqual(SamplerSelection(sampler: .dpmpp2M).effectiveScheduler, .karras)
        XCTAssertEqual(SamplerSelection(sampler: .dpmppSDE).effectiveScheduler, .karras)
        XCTAssertEqual(SamplerSelection(sampler: .dpmpp2MSDE).effectiveScheduler, .exponential)
        XCTAssertEqual(SamplerSelection(sampler: .eulerAncestral).effectiveScheduler, .uniform)
        XCTAssertEqual(SamplerSelection(sampler: .euler, scheduler: .karras).effectiveScheduler, .karras)
    }
}
