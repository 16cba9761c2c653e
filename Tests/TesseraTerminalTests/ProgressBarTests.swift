import Synchronization
import XCTest
@testable import TesseraTerminal

/// A fake clock and a recording sink, so tests control time and read what the bar printed.
private final class Harness: Sendable {
    let now = Mutex(0.0)
    let lines = Mutex([String]())
    func advance(_ dt: Double) { now.withLock { $0 += dt } }
    var output: [String] { lines.withLock { $0 } }
    func bar(total: Int, interactive: Bool) -> ProgressBar {
        ProgressBar(
            total: total, label: "upscale", interactive: interactive, plainInterval: 1.0, redrawInterval: 0.1,
            clock: { self.now.withLock { $0 } }, sink: { text in self.lines.withLock { $0.append(text) } })
    }
}

final class ProgressBarTests: XCTestCase {
    func testETAIsUnknownUntilTwoCompletionsAreSeen() {
        var eta = ETAEstimator(total: 10)
        XCTAssertNil(eta.secondsRemaining)
        eta.record(completed: 0, at: 5)
        XCTAssertNil(eta.secondsRemaining)
        eta.record(completed: 2, at: 7)
        XCTAssertEqual(eta.rate!, 1.0, accuracy: 1e-9)
        XCTAssertEqual(eta.secondsRemaining!, 8.0, accuracy: 1e-9)
    }

    func testETAIsZeroWhenEverythingIsDone() {
        var eta = ETAEstimator(total: 4)
        eta.record(completed: 4, at: 1)
        XCTAssertEqual(eta.secondsRemaining, 0)
    }

    func testDurationsFormatAsMinutesAndHours() {
        XCTAssertEqual(formatDuration(nil), "--:--")
        XCTAssertEqual(formatDuration(0), "0:00")
        XCTAssertEqual(formatDuration(61.2), "1:02")
        XCTAssertEqual(formatDuration(3725), "1:02:05")
    }

    func testRatesKeepTwoDecimalsBelowTenAndOneAbove() {
        XCTAssertEqual(formatRate(3.14159), "3.14")
        XCTAssertEqual(formatRate(2), "2.00")
        XCTAssertEqual(formatRate(123.45), "123.5")
    }

    func testInteractiveBarRedrawsInPlaceAndEndsWithNewline() {
        let h = Harness()
        let bar = h.bar(total: 4, interactive: true)
        bar.update(completed: 0)
        h.advance(1)
        bar.update(completed: 2)
        h.advance(1)
        bar.finish(completed: 4)
        let out = h.output
        XCTAssertEqual(out.count, 3)
        XCTAssertTrue(out.allSatisfy { $0.hasPrefix("\r") })
        XCTAssertTrue(out[1].contains("2/4 tiles"))
        XCTAssertTrue(out[1].contains("50%"))
        XCTAssertTrue(out[1].contains("ETA 0:01"), out[1])
        XCTAssertTrue(out[2].hasSuffix("\n"))
        XCTAssertTrue(out[2].contains("[" + String(repeating: "=", count: 30) + "]"))
    }

    func testPlainModeHasNoCarriageReturnsAndIsThrottled() {
        let h = Harness()
        let bar = h.bar(total: 100, interactive: false)
        for i in 0..<50 {
            bar.update(completed: i)
            h.advance(0.1)  // 5 seconds in total → about 5 lines, not 50
        }
        bar.finish(completed: 100)
        let out = h.output
        XCTAssertLessThanOrEqual(out.count, 7)
        XCTAssertGreaterThanOrEqual(out.count, 5)
        XCTAssertTrue(out.allSatisfy { !$0.contains("\r") && $0.hasSuffix("\n") })
        XCTAssertTrue(out.last!.contains("100/100 tiles"))
    }

    func testPlainModeRepeatsAnUnchangedLineOnlyAsAHeartbeat() {
        let h = Harness()
        let bar = h.bar(total: 4, interactive: false)
        bar.update(completed: 3, detail: "2 workers")
        for _ in 0..<600 {  // ten minutes on the last tile, reported every second
            h.advance(1)
            bar.update(completed: 3)
        }
        XCTAssertEqual(h.output.count, 1 + 20, "the first line, then one every 30 s")
        h.advance(1)
        bar.update(completed: 3, detail: "1 worker")
        XCTAssertTrue(h.output.last!.contains("1 worker"), "a changed detail is printed at once")
        bar.finish(completed: 4)
        XCTAssertTrue(h.output.last!.contains("4/4 tiles"))
    }

    func testUpdatesAfterFinishAreIgnored() {
        let h = Harness()
        let bar = h.bar(total: 2, interactive: false)
        bar.finish(completed: 2)
        h.advance(10)
        bar.update(completed: 1)
        XCTAssertEqual(h.output.count, 1)
    }

    func testShorterLinesArePaddedToCoverTheLongerPreviousLine() {
        let h = Harness()
        let bar = h.bar(total: 10, interactive: true)
        bar.update(completed: 1, detail: "a very long detail text")
        h.advance(1)
        bar.update(completed: 2, detail: "")
        let out = h.output
        XCTAssertEqual(out[0].count, out[1].count)
    }

    func testPipesAreNotTerminals() {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        XCTAssertFalse(isTerminal(fileDescriptor: fds[1]))
        XCTAssertNil(terminalColumns(fileDescriptor: fds[1]))
    }
}
