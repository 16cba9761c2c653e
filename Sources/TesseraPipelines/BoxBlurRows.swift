/// `cv2.blur(src, (k, k))` on float32, produced one row at a time: the normalised k×k box (anchor k/2, so an even
/// kernel reaches one pixel further up and left), BORDER_REFLECT_101, running sums in double as OpenCV keeps them
/// for float input.
///
/// Source rows are asked for as the window reaches them (a row is read again when it leaves), so a 16K image is
/// filtered with a few rows in memory instead of several float copies of it.
struct BoxBlurRows {
    private let width: Int
    private let height: Int
    private let before: Int
    private let after: Int
    private let scale: Double
    private let source: (Int) -> [Float]
    private var sums: [Double]
    private var y = 0

    /// `source(y)` returns row `y` (0 ≤ y < height) of `width` samples.
    init(width: Int, height: Int, kernel k: Int, source: @escaping (Int) -> [Float]) {
        self.width = width
        self.height = height
        before = k / 2
        after = k - 1 - before
        scale = 1 / Double(k * k)
        self.source = source
        sums = [Double](repeating: 0, count: width)
        for dy in -before...after {
            let row = rowSums(dy)
            for x in 0..<width { sums[x] += row[x] }
        }
    }

    /// The next blurred row, top to bottom; call at most `height` times.
    mutating func next() -> [Float] {
        let out = sums.map { Float($0 * scale) }
        if y + 1 < height {
            let entering = rowSums(y + after + 1), leaving = rowSums(y - before)
            for x in 0..<width { sums[x] += entering[x] - leaving[x] }
        }
        y += 1
        return out
    }

    /// Horizontal k-wide sums along the (reflected) source row `y`.
    private func rowSums(_ y: Int) -> [Double] {
        let src = source(RenoiseMask.reflect101(y, count: height))
        var out = [Double](repeating: 0, count: width)
        var sum = 0.0
        for dx in -before...after { sum += Double(src[RenoiseMask.reflect101(dx, count: width)]) }
        for x in 0..<width {
            out[x] = sum
            sum += Double(src[RenoiseMask.reflect101(x + after + 1, count: width)]) - Double(src[RenoiseMask.reflect101(x - before, count: width)])
        }
        return out
    }
}
