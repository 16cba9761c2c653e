import TesseraCheckpoint
import TesseraTensor

/// ESRGAN / Real-ESRGAN upscaler (`RRDBNet`), applied to whole images in overlapping tiles.
public struct RRDBNet: Sendable {
    /// The architecture.
    public let configuration: RRDBNetConfiguration
    /// The weights.
    public let parameters: ParameterStore
    let convFirst: Conv2DLayer
    let body: [RRDB]
    let convBody: Conv2DLayer
    let convUp1: Conv2DLayer, convUp2: Conv2DLayer
    let convHR: Conv2DLayer, convLast: Conv2DLayer

    /// Loads from BasicSR-named weights (old `model.N` files are mapped by the checkpoint loaders).
    public init(source: any WeightSource, configuration: RRDBNetConfiguration? = nil) throws {
        let config = try configuration ?? RRDBNetConfiguration.infer(from: source)
        try self.init(loader: ParameterLoader(source: source), configuration: config)
    }

    /// A network of `configuration` with seeded random weights (tests of structure, benchmarks).
    public init(randomWeights configuration: RRDBNetConfiguration, seed: UInt64 = 5) throws {
        try self.init(loader: ParameterLoader(randomSeed: seed), configuration: configuration)
    }

    init(loader: ParameterLoader, configuration c: RRDBNetConfiguration) throws {
        guard [1, 2, 4].contains(c.scale) else { throw ModelError("RRDBNet configuration", "scale \(c.scale) is not 1, 2 or 4") }
        configuration = c
        parameters = loader.store
        let f = c.features
        let inputChannels = c.imageChannels * c.unshuffle * c.unshuffle
        convFirst = try Conv2DLayer(loader, "conv_first", in: inputChannels, out: f, kernel: 3)
        body = try (0..<c.blocks).map { try RRDB(loader, "body.\($0)", features: f, growth: c.growth) }
        convBody = try Conv2DLayer(loader, "conv_body", in: f, out: f, kernel: 3)
        convUp1 = try Conv2DLayer(loader, "conv_up1", in: f, out: f, kernel: 3)
        convUp2 = try Conv2DLayer(loader, "conv_up2", in: f, out: f, kernel: 3)
        convHR = try Conv2DLayer(loader, "conv_hr", in: f, out: f, kernel: 3)
        convLast = try Conv2DLayer(loader, "conv_last", in: f, out: c.outChannels, kernel: 3)
    }

    /// The raw network on one image batch `[N, C, H, W]` (no tiling, no clamping): `[N, out, H·scale, W·scale]`.
    /// ×2 / ×1 models need sides divisible by 2 / 4.
    public func forward(_ image: Tensor) throws -> Tensor {
        let c = configuration
        guard image.rank == 4, image.shape[1] == c.imageChannels else {
            throw ModelError("ESRGAN input", "image has shape \(image.shape), expected [N, \(c.imageChannels), H, W]")
        }
        guard image.shape[2] % c.unshuffle == 0, image.shape[3] % c.unshuffle == 0 else {
            throw ModelError("ESRGAN input", "a ×\(c.scale) model needs sides divisible by \(c.unshuffle), got \(image.shape[3])x\(image.shape[2])")
        }
        let input = c.unshuffle == 1 ? image : image.pixelUnshuffled(c.unshuffle)
        let feature = convFirst(input)
        var h = feature
        for block in body { h = block(h) }
        h = convBody(h)
        h.add(feature)
        h = convUp1(h.upsampledNearest2x())
        h.apply(.leakyReLU(slope: 0.2))
        h = convUp2(h.upsampledNearest2x())
        h.apply(.leakyReLU(slope: 0.2))
        h = convHR(h)
        h.apply(.leakyReLU(slope: 0.2))
        return convLast(h)
    }

    /// Upscales `image` `[N, C, H, W]` tile by tile: each `tile × tile` block of the input is run
    /// with `overlap` pixels of surrounding context on every side (clamped at the image border)
    /// and only its own part of the output is kept. Memory is bounded by the tile size; once
    /// `overlap` covers the network's receptive field the result equals `forward` on the whole image.
    public func upscale(_ image: Tensor, tile: Int = 192, overlap: Int = 16) throws -> Tensor {
        let c = configuration
        guard tile > 0, overlap >= 0 else { throw ModelError("ESRGAN tiling", "tile \(tile) and overlap \(overlap) must be positive") }
        guard image.rank == 4, image.shape[1] == c.imageChannels else {
            throw ModelError("ESRGAN input", "image has shape \(image.shape), expected [N, \(c.imageChannels), H, W]")
        }
        let (n, h, w) = (image.shape[0], image.shape[2], image.shape[3])
        let s = c.scale
        // Tile edges and context stay on the unshuffle grid so every tile is a valid input.
        let step = max(c.unshuffle, tile / c.unshuffle * c.unshuffle)
        let context = (overlap + c.unshuffle - 1) / c.unshuffle * c.unshuffle
        var out = Tensor(shape: [n, c.outChannels, h * s, w * s])
        var y0 = 0
        while y0 < h {
            let y1 = min(h, y0 + step)
            var x0 = 0
            while x0 < w {
                let x1 = min(w, x0 + step)
                let cy0 = max(0, y0 - context), cy1 = min(h, y1 + context)
                let cx0 = max(0, x0 - context), cx1 = min(w, x1 + context)
                let patch = try forward(crop(image, y: cy0..<cy1, x: cx0..<cx1))
                paste(patch, into: &out, from: ((y0 - cy0) * s, (x0 - cx0) * s), to: (y0 * s, x0 * s),
                      size: ((y1 - y0) * s, (x1 - x0) * s))
                x0 = x1
            }
            y0 = y1
        }
        return out
    }

    private func crop(_ t: Tensor, y: Range<Int>, x: Range<Int>) -> Tensor {
        let planes = t.shape[0] * t.shape[1]
        let h = t.shape[2], w = t.shape[3]
        let rows = y.count, cols = x.count
        return Tensor(shape: [t.shape[0], t.shape[1], rows, cols]) { out in
            t.data.withUnsafeBufferPointer { src in
                for p in 0..<planes {
                    for r in 0..<rows {
                        let s: Int = p * h * w + (y.lowerBound + r) * w + x.lowerBound
                        let d: Int = (p * rows + r) * cols
                        (out.baseAddress! + d).update(from: src.baseAddress! + s, count: cols)
                    }
                }
            }
        }
    }

    private func paste(_ patch: Tensor, into out: inout Tensor, from: (Int, Int), to: (Int, Int), size: (Int, Int)) {
        let planes = patch.shape[0] * patch.shape[1]
        let ph = patch.shape[2], pw = patch.shape[3]
        let oh = out.shape[2], ow = out.shape[3]
        patch.data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                for p in 0..<planes {
                    for r in 0..<size.0 {
                        let s: Int = (p * ph + from.0 + r) * pw + from.1
                        let d: Int = (p * oh + to.0 + r) * ow + to.1
                        (dst.baseAddress! + d).update(from: src.baseAddress! + s, count: size.1)
                    }
                }
            }
        }
    }
}
