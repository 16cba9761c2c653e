/// Per-output-sample convolution taps along one axis, in Pillow's 8-bit fixed point.
struct ResampleKernel {
    /// Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2.
    static let precisionBits = 22

    /// First source index of each output sample.
    var first: [Int]
    /// Number of taps of each output sample.
    var count: [Int]
    /// `ksize` fixed-point weights per output sample (unused tail is zero).
    var weights: [Int32]
    let ksize: Int

    /// Taps for output samples `outputs` of a resize of `inSize` source samples
    /// (the span `in0..<in1` of them) to `outSize` samples. Computing only a
    /// sub-range gives exactly the taps the full resize uses for those samples,
    /// which is what makes tiled resampling bit-identical to untiled.
    init(filter: ResampleFilter, inSize: Int, in0: Double, in1: Double, outSize: Int, outputs: Range<Int>) {
        let scale = (in1 - in0) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        ksize = Int(support.rounded(.up)) * 2 + 1
        let inverseScale = 1 / filterScale
        first = []
        count = []
        first.reserveCapacity(outputs.count)
        count.reserveCapacity(outputs.count)
        weights = [Int32](repeating: 0, count: outputs.count * ksize)
        var taps = [Double](repeating: 0, count: ksize)
        let one = Double(1 << ResampleKernel.precisionBits)
        for (slot, output) in outputs.enumerated() {
            let center = in0 + (Double(output) + 0.5) * scale
            // Pillow truncates toward zero after adding 0.5, then clamps.
            var low = Int(center - support + 0.5)
            if low < 0 { low = 0 }
            var high = Int(center + support + 0.5)
            if high > inSize { high = inSize }
            let taken = max(0, high - low)
            var total = 0.0
            for tap in 0..<taken {
                let w = filter.weight((Double(tap + low) - center + 0.5) * inverseScale)
                taps[tap] = w
                total += w
            }
            for tap in 0..<taken {
                let normalised = total != 0 ? taps[tap] / total : taps[tap]
                let fixed = normalised < 0 ? (-0.5 + normalised * one) : (0.5 + normalised * one)
                weights[slot * ksize + tap] = Int32(fixed.rounded(.towardZero))
            }
            first.append(low)
            count.append(taken)
        }
    }

    /// Smallest first tap and one past the largest last tap.
    var sourceSpan: Range<Int> {
        var low = Int.max
        var high = Int.min
        for index in first.indices where count[index] > 0 {
            low = min(low, first[index])
            high = max(high, first[index] + count[index])
        }
        return low <= high ? low..<high : 0..<0
    }
}
