import TesseraCheckpoint

/// Architecture of an ESRGAN `RRDBNet` (BasicSR names: `conv_first`, `body.N.rdbK.convJ`, ...).
///
/// ×2 and ×1 models take a pixel-unshuffled input (12 or 48 channels for RGB) and still
/// upsample ×4 internally, as Real-ESRGAN does.
public struct RRDBNetConfiguration: Sendable, Equatable {
    /// Channels of the images it upscales (3).
    public var imageChannels: Int
    /// Channels it outputs (3).
    public var outChannels: Int
    /// Feature width (`num_feat`, 64 for the released models).
    public var features: Int
    /// Number of RRDB blocks (`num_block`, 23 for ESRGAN / Real-ESRGAN x4plus).
    public var blocks: Int
    /// Dense-block growth channels (`num_grow_ch`, 32).
    public var growth: Int
    /// Overall upscale factor: 4, 2 or 1.
    public var scale: Int

    public init(imageChannels: Int = 3, outChannels: Int = 3, features: Int = 64, blocks: Int = 23, growth: Int = 32, scale: Int = 4) {
        self.imageChannels = imageChannels
        self.outChannels = outChannels
        self.features = features
        self.blocks = blocks
        self.growth = growth
        self.scale = scale
    }

    /// Pixel-unshuffle factor applied before `conv_first` (1 for ×4).
    public var unshuffle: Int { 4 / scale }

    /// Infers the sizes; the scale follows from `conv_first`'s input channels (3 → ×4, 12 → ×2, 48 → ×1).
    public static func infer(from source: any WeightSource, imageChannels: Int = 3) throws -> RRDBNetConfiguration {
        let first = try requiredShape(of: "conv_first.weight", in: source, rank: 4)
        let last = try requiredShape(of: "conv_last.weight", in: source, rank: 4)
        let growth = try requiredShape(of: "body.0.rdb1.conv1.weight", in: source, rank: 4)[0]
        var blocks = 0
        while source.contains("body.\(blocks).rdb1.conv1.weight") { blocks += 1 }
        let scale: Int
        switch first[1] {
        case imageChannels: scale = 4
        case imageChannels * 4: scale = 2
        case imageChannels * 16: scale = 1
        default:
            throw ModelError(source.path, "conv_first takes \(first[1]) channels: not a ×4, ×2 or ×1 RRDBNet for \(imageChannels)-channel images")
        }
        return RRDBNetConfiguration(imageChannels: imageChannels, outChannels: last[0], features: first[0], blocks: blocks, growth: growth, scale: scale)
    }
}
