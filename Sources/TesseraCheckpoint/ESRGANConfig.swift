/// The structure of an RRDBNet (ESRGAN / Real-ESRGAN) inferred from BasicSR-named shapes.
public struct ESRGANConfig: Sendable, Equatable {
    public var scale: Int
    public var inChannels: Int
    public var outChannels: Int
    public var numFeat: Int
    public var numBlock: Int
    public var numGrowCh: Int
    /// Nearest-×2 upsampling stages, each with a conv (`conv_up1`, …): 2 in BasicSR files of any
    /// scale (×1/×2 use pixel-unshuffle instead), log2(scale) in original ESRGAN files.
    public var upsamplingConvs: Int

    public init(scale: Int, inChannels: Int, outChannels: Int, numFeat: Int, numBlock: Int, numGrowCh: Int, upsamplingConvs: Int = 2) {
        self.scale = scale
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.numFeat = numFeat
        self.numBlock = numBlock
        self.numGrowCh = numGrowCh
        self.upsamplingConvs = upsamplingConvs
    }

    public static func infer(shapes: [String: [Int]], path: String) throws -> ESRGANConfig {
        guard let first = shapes["conv_first.weight"], first.count == 4,
              let last = shapes["conv_last.weight"], last.count == 4,
              let grow = shapes["body.0.rdb1.conv1.weight"], grow.count == 4 else {
            throw CheckpointError(path: path, problem: "missing tensor 'conv_first.weight', 'conv_last.weight' or 'body.0.rdb1.conv1.weight'")
        }
        var blocks = 0
        while shapes["body.\(blocks).rdb1.conv1.weight"] != nil { blocks += 1 }
        var ups = 0
        while shapes["conv_up\(ups + 1).weight"] != nil { ups += 1 }
        // BasicSR folds x2 / x1 into pixel-unshuffle before conv_first (4 or 16 × the image channels)
        // and always upsamples ×4; the old layout has one ×2 upsampling conv per factor of 2.
        let unshuffle = first[1] / max(last[0], 1)
        let scale: Int
        switch unshuffle {
        case 16: scale = 1
        case 4: scale = 2
        default: scale = 1 << ups
        }
        return ESRGANConfig(scale: scale, inChannels: first[1] / (scale == 1 ? 16 : scale == 2 ? 4 : 1), outChannels: last[0], numFeat: first[0], numBlock: blocks, numGrowCh: grow[0], upsamplingConvs: ups)
    }

    /// Every BasicSR-named tensor an RRDBNet with this configuration has, with its shape.
    public func expectedShapes() -> [String: [Int]] {
        var s: [String: [Int]] = [:]
        let unshuffle = scale == 1 ? 16 : scale == 2 ? 4 : 1
        conv(&s, "conv_first", out: numFeat, in: inChannels * unshuffle, k: 3)
        for b in 0..<numBlock {
            for r in 1...3 {
                // Dense block: conv j sees the input plus the j-1 earlier growths.
                for j in 1...5 {
                    conv(&s, "body.\(b).rdb\(r).conv\(j)", out: j == 5 ? numFeat : numGrowCh, in: numFeat + (j - 1) * numGrowCh, k: 3)
                }
            }
        }
        conv(&s, "conv_body", out: numFeat, in: numFeat, k: 3)
        for u in 0..<upsamplingConvs { conv(&s, "conv_up\(u + 1)", out: numFeat, in: numFeat, k: 3) }
        conv(&s, "conv_hr", out: numFeat, in: numFeat, k: 3)
        conv(&s, "conv_last", out: outChannels, in: numFeat, k: 3)
        return s
    }
}
