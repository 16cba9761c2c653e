import Foundation
import TesseraImageOps
import TesseraImaging
import TesseraSampling
import TesseraTensor

/// Tiled Diffusion's renoise mask (spec §7.4 step 4): where fresh noise is blended into the inverted noise.
///
/// The init image's Pillow "L" grey values I (0…1) go through a self-guided filter with an OpenCV box blur of the
/// kernel size; `gf = A·I + B − I` is stored as 8-bit the way numpy casts float32 to uint8 (the extension's
/// `astype(np.uint8)`), bilinearly resized to the latent grid and turned into `clamp(strength·(1 − gf), 0, 1)`.
///
/// The filter streams the image row by row and keeps only the rows the latent-grid resize reads, so on a 16K init
/// image the mask costs a few megabytes beside the image instead of five float copies of it (about 21 bytes per
/// pixel: 5.6 GB at 16384²).
public enum RenoiseMask {
    /// The `[h, w]` mask for the latent grid of `image`'s render size.
    public static func mask(for image: RGBAImage, kernelSize: Int, strength: Float, latentWidth: Int, latentHeight: Int) -> Tensor {
        let rows = retouchRows(width: image.width, height: image.height, kernelSize: kernelSize) {
            GreyImage.luminance(ofRow: $0, in: image)
        }
        let ys = bilinearTaps(output: latentHeight, input: image.height)
        let xs = bilinearTaps(output: latentWidth, input: image.width)
        // The resize reads at most two source rows per latent row; those rows, resampled across, are all it keeps.
        let needed = Set(ys.flatMap { [$0.0, $0.1] })
        var across: [Int: [Float]] = [:]
        for y in 0...(needed.max() ?? -1) {
            let row = rows()
            guard needed.contains(y) else { continue }
            across[y] = xs.map { x0, x1, fx in row[x0] * (1 - fx) + row[x1] * fx }
        }
        var resized = [Float]()
        resized.reserveCapacity(latentWidth * latentHeight)
        for (y0, y1, fy) in ys {
            let (top, bottom) = (across[y0]!, across[y1]!)
            for x in 0..<latentWidth { resized.append(top[x] * (1 - fy) + bottom[x] * fy) }
        }
        return NoiseInversion.renoiseMask(filtered: Tensor(shape: [latentHeight, latentWidth], data: resized), strength: strength)
    }

    /// The extension's `get_retouch_mask` over a whole grey image: `[1, 1, H, W]` values `k/255`, k the 8-bit
    /// `255·(A·I + B − I)`.
    static func retouchFilter(_ grey: GreyImage, kernelSize: Int) -> Tensor {
        let w = grey.width
        let rows = retouchRows(width: w, height: grey.height, kernelSize: kernelSize) { Array(grey.pixels[$0 * w..<($0 + 1) * w]) }
        return Tensor(shape: [1, 1, grey.height, w], data: (0..<grey.height).flatMap { _ in rows() })
    }

    /// A generator of the retouch filter's rows, top to bottom, over the grey rows `grey(y)`.
    static func retouchRows(width: Int, height: Int, kernelSize: Int, grey: @escaping (Int) -> [UInt8]) -> () -> [Float] {
        let image = { (y: Int) in grey(y).map { Float($0) / 255 } }
        var mean = BoxBlurRows(width: width, height: height, kernel: kernelSize, source: image)
        var meanOfSquares = BoxBlurRows(width: width, height: height, kernel: kernelSize) { image($0).map { $0 * $0 } }
        var y = 0
        return {
            let (m, mm, row) = (mean.next(), meanOfSquares.next(), image(y))
            y += 1
            return (0..<width).map { i in
                // With the image as its own guide, cov(I, p) = var(I).
                let variance = mm[i] - m[i] * m[i]
                let a = variance / (variance + 0.01)
                let b = m[i] - a * m[i]
                return Float(numpyUInt8((a * row[i] + b - row[i]) * 255)) / 255
            }
        }
    }

    /// numpy's float32 → uint8 cast on x86-64: truncation toward zero to a 32-bit integer, keeping the low byte (so
    /// −3.7 becomes 253).
    static func numpyUInt8(_ value: Float) -> UInt8 {
        guard value.isFinite, abs(value) < 2_147_483_520 else { return 0 }
        return UInt8(truncatingIfNeeded: Int32(value))
    }

    /// ``BoxBlurRows`` over a whole float image.
    static func boxBlur(_ src: [Float], width w: Int, height h: Int, kernel k: Int) -> [Float] {
        var rows = BoxBlurRows(width: w, height: h, kernel: k) { Array(src[$0 * w..<($0 + 1) * w]) }
        return (0..<h).flatMap { _ in rows.next() }
    }

    /// OpenCV's BORDER_REFLECT_101 index (`gfedcb|abcdefgh|gfedcba`), applied until it lands inside.
    static func reflect101(_ i: Int, count n: Int) -> Int {
        guard n > 1 else { return 0 }
        var i = i
        while i < 0 || i >= n { i = i < 0 ? -i : 2 * n - 2 - i }
        return i
    }
}
