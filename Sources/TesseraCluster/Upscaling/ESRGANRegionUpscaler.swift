import TesseraImaging
import TesseraModels
import TesseraTensor

/// Renders any rectangle of the ESRGAN pre-upscaled image from the source alone, so a cluster
/// tile computes only its own context region: the model runs on the source region the
/// rectangle needs plus `margin` pixels of context per side (the receptive field that matters in
/// practice), and the Lanczos steps read only their kernel support.
///
/// The result is a pure function of (source, target size, model, margin, rectangle): workers and
/// the single-process driver render identical tiles. Where `margin` is smaller than the model's
/// full receptive field, neighbouring tiles may differ slightly in their overlap; the feathered
/// blend joins them. A1111 instead runs the model on fixed 192-px tiles blended over 8 px
/// (`ESRGAN_tile`); with `ESRGAN_tile = 0` it computes the whole image at once, which is what
/// each region here approximates.
public struct ESRGANRegionUpscaler: Sendable {
    /// The network.
    public let network: RRDBNet
    /// Source pixels of context per side around what a region needs.
    public let margin: Int
    /// Side of the pieces the network runs on inside a region (bounds memory).
    public let pieceSize: Int

    /// Default context: twice A1111's `ESRGAN_tile_overlap` of 8.
    public static let defaultMargin = 16

    public init(network: RRDBNet, margin: Int = ESRGANRegionUpscaler.defaultMargin, pieceSize: Int = 128) {
        self.network = network
        self.margin = max(0, margin)
        self.pieceSize = max(16, pieceSize)
    }

    /// `region` of `source` pre-upscaled to `targetWidth`×`targetHeight` with A1111's factor
    /// logic (`ESRGANUpscaleChain`).
    public func render(region: PixelRect, of source: RGBAImage, targetWidth: Int, targetHeight: Int) throws -> RGBAImage {
        try render(region: region, of: SourceWindow(whole: source), targetWidth: targetWidth, targetHeight: targetHeight)
    }

    /// The same from a window of the source; fails when the region needs source pixels outside it.
    public func render(region: PixelRect, of source: SourceWindow, targetWidth: Int, targetHeight: Int) throws -> RGBAImage {
        let chain = try ESRGANUpscaleChain(
            source: .init(source.sourceWidth, source.sourceHeight), target: .init(targetWidth, targetHeight),
            modelScale: network.configuration.scale)
        guard region.width > 0, region.height > 0,
              PixelRect(x: 0, y: 0, width: targetWidth, height: targetHeight).contains(region) else {
            throw ClusterError.invalidParameter(field: "tile", reason: "region \(region) is outside the \(targetWidth)×\(targetHeight) target")
        }
        // Walk back from the wanted rectangle to the window of each step's input.
        var windows = [PixelRect](repeating: region, count: chain.steps.count + 1)
        for i in stride(from: chain.steps.count - 1, through: 0, by: -1) {
            windows[i] = inputWindow(of: chain.steps[i], for: windows[i + 1])
        }
        var image = try source.cropped(to: windows[0])
        for (i, step) in chain.steps.enumerated() {
            image = try apply(step, to: image, at: windows[i], producing: windows[i + 1])
        }
        return image
    }

    private func inputWindow(of step: ESRGANUpscaleChain.Step, for out: PixelRect) -> PixelRect {
        switch step {
        case .model(let from, let to):
            let scale = to.width / from.width, align = network.configuration.unshuffle
            func axis(_ low: Int, _ high: Int, _ size: Int) -> (Int, Int) {
                let a = max(0, (low / scale - margin) / align * align)
                let b = min(size, ((high + scale - 1) / scale + margin + align - 1) / align * align)
                return (a, b)
            }
            let (x0, x1) = axis(out.x, out.maxX, from.width), (y0, y1) = axis(out.y, out.maxY, from.height)
            return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
        case .lanczos(let from, let to):
            let (x0, x1) = Self.lanczosSupport(out.x..<out.maxX, inSize: from.width, outSize: to.width)
            let (y0, y1) = Self.lanczosSupport(out.y..<out.maxY, inSize: from.height, outSize: to.height)
            return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
        }
    }

    /// Source pixels Pillow's Lanczos reads for the outputs `out` (one pixel of slack each side).
    static func lanczosSupport(_ out: Range<Int>, inSize: Int, outSize: Int) -> (Int, Int) {
        let scale = Double(inSize) / Double(outSize)
        let support = 3 * max(scale, 1)
        let low = Int((Double(out.lowerBound) + 0.5) * scale - support + 0.5) - 1
        let high = Int((Double(out.upperBound - 1) + 0.5) * scale + support + 0.5) + 1
        return (max(0, low), min(inSize, max(high, low + 1)))
    }

    private func apply(_ step: ESRGANUpscaleChain.Step, to image: RGBAImage, at window: PixelRect,
                       producing out: PixelRect) throws -> RGBAImage {
        switch step {
        case .model(let from, let to):
            let scale = to.width / from.width
            let upscaled = try runModel(on: image)
            return try upscaled.cropped(to: PixelRect(x: out.x - window.x * scale, y: out.y - window.y * scale,
                                                      width: out.width, height: out.height))
        case .lanczos(let from, let to):
            // Pillow's kernel depends on the whole input size, so the window sits in a canvas of
            // that size; only the window's pixels are ever read.
            var canvas = RGBAImage(width: from.width, height: from.height, fill: (0, 0, 0, 0))
            canvas.paste(image, x: window.x, y: window.y)
            return try Resampler.resizeRegion(canvas, width: to.width, height: to.height, region: out, filter: .lanczos)
        }
    }

    /// The model on a whole window: A1111's conversion (BGR in [0, 1] in, clamp, ×255, round,
    /// back to RGB); alpha is carried by nearest-neighbour scaling.
    private func runModel(on image: RGBAImage) throws -> RGBAImage {
        let (w, h) = (image.width, image.height)
        let align = network.configuration.unshuffle
        // ×2 / ×1 models need sides on their unshuffle grid; an odd edge is padded by repetition.
        let pw = (w + align - 1) / align * align, ph = (h + align - 1) / align * align
        var input = [Float](repeating: 0, count: 3 * pw * ph)
        for y in 0..<ph {
            for x in 0..<pw {
                let s = (min(y, h - 1) * w + min(x, w - 1)) * 4
                for c in 0..<3 { input[(2 - c) * pw * ph + y * pw + x] = Float(image.pixels[s + c]) / 255 }
            }
        }
        let output = try network.upscale(Tensor(shape: [1, 3, ph, pw], data: input), tile: pieceSize, overlap: margin)
        let s = network.configuration.scale, ow = pw * s, outPlane = ow * ph * s
        let width = w * s, height = h * s
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let d = (y * width + x) * 4
                for c in 0..<3 {
                    let v = min(max(output.data[(2 - c) * outPlane + y * ow + x], 0), 1)
                    pixels[d + c] = UInt8((v * 255).rounded())
                }
                pixels[d + 3] = image.pixels[((y / s) * w + x / s) * 4 + 3]
            }
        }
        return try RGBAImage(width: width, height: height, pixels: pixels)
    }
}
