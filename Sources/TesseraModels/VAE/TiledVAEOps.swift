import TesseraTensor

/// One step of a VAE network, flattened so the network can be cut at every GroupNorm.
enum TiledVAEOp: Sendable {
    case conv(Conv2DLayer)
    case norm(GroupNormLayer, silu: Bool)
    case upsampleNearest2x
    /// Remembers the current activation as a ResNet block's skip input.
    case beginResidual
    /// Adds the remembered skip input (through the 1×1 shortcut when there is one).
    case endResidual(shortcut: Conv2DLayer?)
    /// The mid-block self-attention (its own GroupNorm, attention, and the residual add).
    case attention(VAEAttention)

    static func resnet(_ block: ResnetBlock) -> [TiledVAEOp] {
        [.beginResidual, .norm(block.norm1, silu: true), .conv(block.conv1),
         .norm(block.norm2, silu: true), .conv(block.conv2), .endResidual(shortcut: block.shortcut)]
    }

    static func midBlock(_ mid: VAEMidBlock) -> [TiledVAEOp] {
        resnet(mid.resnet1) + [.attention(mid.attention)] + resnet(mid.resnet2)
    }
}

extension Conv2DLayer {
    var kernel: Int { store[weight].shape[2] }
    var inChannels: Int { store[weight].shape[1] }
}

/// A stretch of the network between two whole-image GroupNorms: it starts by applying one
/// (or the attention, which starts with one) and then runs only local operations, so each output
/// tile needs just a small window of the stage's input.
struct TiledVAEStage: Sendable {
    enum Head: Sendable {
        case none
        case norm(GroupNormLayer, silu: Bool)
        case attention(VAEAttention)

        /// The GroupNorm whose whole-image statistics the head needs.
        var norm: GroupNormLayer? {
            switch self {
            case .none: nil
            case .norm(let layer, _): layer
            case .attention(let block): block.norm
            }
        }
    }

    enum Step: Sendable {
        case conv(Conv2DLayer)
        case upsampleNearest2x
        case addSkip(shortcut: Conv2DLayer?)
    }

    var head: Head
    var steps: [Step] = []
    /// Which earlier stage's output the `addSkip` step reads (−1: the network input).
    var skipSource: Int?
    /// Spatial size (height, width) before each step and after the last one.
    var sizes: [(height: Int, width: Int)] = []
    /// Output channels.
    var channels = 0

    var outputSize: (height: Int, width: Int) { sizes[sizes.count - 1] }

    /// Cuts `ops` into stages and works out every stage's sizes for an input of
    /// `channels` × `height` × `width`.
    static func stages(of ops: [TiledVAEOp], channels: Int, height: Int, width: Int) throws -> [TiledVAEStage] {
        var stages = [TiledVAEStage(head: .none)]
        var openSkips: [Int] = []
        var pendingSkip = false
        for op in ops {
            switch op {
            case .norm(let layer, let silu):
                stages.append(TiledVAEStage(head: .norm(layer, silu: silu)))
                pendingSkip = false
            case .attention(let block):
                stages.append(TiledVAEStage(head: .attention(block)))
                pendingSkip = false
            case .beginResidual:
                // The skip must be a stored stage output, so a GroupNorm has to follow at once.
                openSkips.append(stages.count - 1)
                pendingSkip = true
                continue
            case .conv(let layer):
                stages[stages.count - 1].steps.append(.conv(layer))
            case .upsampleNearest2x:
                stages[stages.count - 1].steps.append(.upsampleNearest2x)
            case .endResidual(let shortcut):
                guard let source = openSkips.popLast(), stages[stages.count - 1].skipSource == nil else {
                    throw ModelError("tiled VAE", "unbalanced residual in the flattened network")
                }
                stages[stages.count - 1].steps.append(.addSkip(shortcut: shortcut))
                stages[stages.count - 1].skipSource = source
            }
            guard !pendingSkip else { throw ModelError("tiled VAE", "a ResNet skip input is not followed by a GroupNorm") }
        }
        // Stage 0 with no steps would make its "output" the input; the VAEs always start with a conv.
        guard !stages[0].steps.isEmpty else { throw ModelError("tiled VAE", "the network does not start with a convolution") }
        var size = (height: height, width: width), c = channels
        for i in stages.indices {
            stages[i].sizes = [size]
            for step in stages[i].steps {
                switch step {
                case .conv(let layer):
                    let k = layer.kernel, s = layer.stride, p = layer.padding
                    size = ((size.height + p.top + p.bottom - k) / s + 1, (size.width + p.left + p.right - k) / s + 1)
                    c = layer.outChannels
                case .upsampleNearest2x:
                    size = (2 * size.height, 2 * size.width)
                case .addSkip:
                    break
                }
                stages[i].sizes.append(size)
            }
            stages[i].channels = c
        }
        return stages
    }
}

/// The window of one axis a step needs to produce a given output range.
enum TiledVAEWindow {
    /// Input range of a convolution (kernel `k`, stride `s`, leading padding `low`) for the output
    /// range `out`, clipped to the input's `size`.
    static func convolutionInput(for out: Range<Int>, kernel k: Int, stride s: Int, low: Int, size: Int) -> Range<Int> {
        max(0, out.lowerBound * s - low)..<min(size, (out.upperBound - 1) * s - low + k)
    }

    /// Input range of a nearest ×2 upsampling for the output range `out`.
    static func upsampleInput(for out: Range<Int>) -> Range<Int> {
        (out.lowerBound / 2)..<((out.upperBound + 1) / 2)
    }

    /// Zero padding (before, after) that makes a convolution of the window `input` produce exactly `out`.
    static func convolutionPadding(input: Range<Int>, out: Range<Int>, kernel k: Int, stride s: Int, low: Int) -> (Int, Int) {
        (input.lowerBound - (out.lowerBound * s - low), (out.upperBound - 1) * s - low + k - input.upperBound)
    }
}
