import TesseraImageOps
import TesseraImaging
import TesseraModels
import TesseraTensor

/// Pixels ↔ SD latents as A1111 converts them.
public struct LatentCodec: Sendable {
    /// SD1.x latent scaling factor.
    public static let scalingFactor: Float = 0.18215
    public let vae: AutoencoderKL
    /// Benchmark timing of encodes and decodes; nil = not timed.
    public let timer: PipelineStageTimer?

    public init(vae: AutoencoderKL, timer: PipelineStageTimer? = nil) {
        self.vae = vae
        self.timer = timer
    }

    /// Encodes an 8-bit image (RGB, alpha ignored) to a `[1, 4, H/8, W/8]` latent: `2v/255 − 1`
    /// through the encoder, the posterior **mean** × 0.18215. A1111 samples the posterior with
    /// an unseeded device RNG; the mean is the reproducible choice (documented deviation).
    public func encode(_ image: RGBAImage) throws -> Tensor {
        try encode(pixels: Self.tensor(from: image))
    }

    /// Encodes a `[1, 3, H, W]` image in [−1, 1].
    public func encode(pixels: Tensor) throws -> Tensor {
        let d = vae.downscale
        guard pixels.shape[2] % d == 0, pixels.shape[3] % d == 0 else {
            throw PipelineError("image", "\(pixels.shape[3])x\(pixels.shape[2]) is not a multiple of \(d) on each side")
        }
        let tiled = max(pixels.shape[2], pixels.shape[3]) > Self.tiledVAEThreshold
        return try timer.measure(.vaeEncode) {
            try (tiled ? vae.encodeTiled(pixels, tileSize: 512) : vae.encode(pixels)).mean * Self.scalingFactor
        }
    }

    /// Image side above which the VAE runs tiled (exact whole-image GroupNorm statistics, memory bounded by the tile).
    public static let tiledVAEThreshold = 1024

    /// Decodes a `[1, 4, h, w]` latent: `decode(latent / 0.18215)`, `clamp((x+1)/2, 0, 1)`,
    /// `uint8(255·x)` with truncation, as A1111 converts the diffusion output.
    public func decode(_ latent: Tensor) throws -> RGBAImage {
        let z = latent * (1 / Self.scalingFactor)
        let tiled = max(z.shape[2], z.shape[3]) * vae.downscale > Self.tiledVAEThreshold
        let x = try timer.measure(.vaeDecode) { try tiled ? vae.decodeTiled(z, tileSize: 64) : vae.decode(z) }
        let (h, w) = (x.shape[2], x.shape[3]), plane = h * w
        var pixels = [UInt8](repeating: 255, count: plane * 4)
        for c in 0..<3 {
            for i in 0..<plane {
                let v = min(max((x.data[c * plane + i] + 1) / 2, 0), 1)
                pixels[i * 4 + c] = UInt8(255 * v)
            }
        }
        return try RGBAImage(width: w, height: h, pixels: pixels)
    }

    /// `[1, 3, H, W]` in [−1, 1] from 8-bit RGB (`2·v/255 − 1`).
    public static func tensor(from image: RGBAImage) -> Tensor {
        let plane = image.width * image.height
        var data = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            for c in 0..<3 { data[c * plane + i] = 2 * Float(image.pixels[i * 4 + c]) / 255 - 1 }
        }
        return Tensor(shape: [1, 3, image.height, image.width], data: data)
    }

    /// `[1, 3, H, W]` in [0, 1] (ControlNet hints are fed unnormalised).
    public static func hintTensor(from image: RGBAImage) -> Tensor {
        let plane = image.width * image.height
        var data = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            for c in 0..<3 { data[c * plane + i] = Float(image.pixels[i * 4 + c]) / 255 }
        }
        return Tensor(shape: [1, 3, image.height, image.width], data: data)
    }
}

/// torch `interpolate(mode="bilinear", align_corners=False, antialias=False)` of `[N, C, h, w]`
/// to `height`×`width`: A1111's latent upscale (resize mode 3).
public func bilinearResize(_ x: Tensor, height: Int, width: Int) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let ys = bilinearTaps(output: height, input: h), xs = bilinearTaps(output: width, input: w)
    var out = [Float](repeating: 0, count: n * c * height * width)
    for p in 0..<(n * c) {
        let base = p * h * w, obase = p * height * width
        for (oy, (y0, y1, fy)) in ys.enumerated() {
            for (ox, (x0, x1, fx)) in xs.enumerated() {
                let top = x.data[base + y0 * w + x0] * (1 - fx) + x.data[base + y0 * w + x1] * fx
                let bottom = x.data[base + y1 * w + x0] * (1 - fx) + x.data[base + y1 * w + x1] * fx
                out[obase + oy * width + ox] = top * (1 - fy) + bottom * fy
            }
        }
    }
    return Tensor(shape: [n, c, height, width], data: out)
}

/// The two source indices and the weight of the second for each of `output` samples resampled from `input`
/// (torch's bilinear, `align_corners=False`).
func bilinearTaps(output: Int, input size: Int) -> [(Int, Int, Float)] {
    let scale = Float(size) / Float(output)
    return (0..<output).map { index in
        let src = max((Float(index) + 0.5) * scale - 0.5, 0)
        let i0 = min(Int(src), size - 1)
        return (i0, min(i0 + 1, size - 1), src - Float(i0))
    }
}
