/// Applies prompt weights to text-encoder output the way A1111's `sd_emphasis` does, chunk by
/// chunk, after the encoder (and clip skip).
public enum EmphasisApplication {
    /// Inconsistent shapes handed to `apply`.
    public enum ShapeError: Error, Equatable, CustomStringConvertible {
        case mismatch(hiddenCount: Int, multiplierCount: Int, width: Int)

        public var description: String {
            switch self {
            case let .mismatch(hidden, multipliers, width):
                return "emphasis: hidden states hold \(hidden) values but \(multipliers) token weights × width \(width) = \(multipliers * width)"
            }
        }
    }

    /// Weights `hidden` in place.
    ///
    /// - Parameters:
    ///   - hidden: one encoder call's output, `[batch × tokens × width]` row-major (A1111 encodes
    ///     one 77-token chunk of every prompt of the batch together, and takes the mean over all of it).
    ///   - multipliers: one weight per token, `[batch × tokens]` (`PromptChunk.floatMultipliers`).
    ///   - width: the hidden size (768 for SD 1.5).
    ///   - mode: `.original` multiplies then rescales so the mean over the whole tensor is what it
    ///     was; `.noNorm` only multiplies; `.ignore` and `.none` leave `hidden` unchanged.
    ///
    /// Float32 arithmetic as torch does it; means are accumulated in Double. If the weighted
    /// mean is exactly zero the rescale is skipped (torch would produce inf/nan).
    public static func apply(_ mode: EmphasisMode, to hidden: inout [Float], multipliers: [Float], width: Int) throws {
        guard width > 0, hidden.count == multipliers.count * width else {
            throw ShapeError.mismatch(hiddenCount: hidden.count, multiplierCount: multipliers.count, width: width)
        }
        switch mode {
        case .none, .ignore:
            return
        case .noNorm:
            multiply(&hidden, by: multipliers, width: width)
        case .original:
            let originalMean = mean(hidden)
            multiply(&hidden, by: multipliers, width: width)
            let newMean = mean(hidden)
            guard newMean != 0 else { return }
            let scale = originalMean / newMean
            for i in hidden.indices { hidden[i] *= scale }
        }
    }

    private static func multiply(_ hidden: inout [Float], by multipliers: [Float], width: Int) {
        hidden.withUnsafeMutableBufferPointer { h in
            for (token, weight) in multipliers.enumerated() where weight != 1 {
                let base = token * width
                for d in 0..<width { h[base + d] *= weight }
            }
        }
    }

    private static func mean(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return 0 }
        var sum = 0.0
        for v in values { sum += Double(v) }
        return Float(sum / Double(values.count))
    }
}
