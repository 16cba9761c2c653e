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
public enum RenoiseMask {
    /// The `[h, w]` mask for the latent grid of `image`'s render size.
    public static func mask(for image: RGBAImage, kernelSize: Int, strength: Float, latentWidth: Int, latentHeight: Int) -> Tensor {
        let filtered = retouchFilter(GreyImage(luminanceOf: image), kernelSize: kernelSize)
        let resized = bilinearResize(filtered, height: latentHeight, width: latentWidth)
        return NoiseInversion.renoiseMask(filtered: Tensor(shape: [latentHeight, latentWidth], data: resized.data), strength: strength)
    }

    /// The extension's `get_retouch_mask`: `[1, 1, H, W]` values `k/255`, k the 8-bit `255·(A·I + B − I)`.
    static func retouchFilter(_ grey: GreyImage, kernelSize: Int) -> Tensor {
        let (w, h) = (grey.width, grey.height)
        let image = grey.pixels.map { Float($0) / 255 }
        let mean = boxBlur(image, width: w, height: h, kernel: kernelSize)
        let meanOfSquares = boxBlur(image.map { $0 * $0 }, width: w, height: h, kernel: kernelSize)
        var out = [Float](repeating: 0, count: w * h)
        for i in out.indices {
            // With the image as its own guide, cov(I, p) = var(I).
            let variance = meanOfSquares[i] - mean[i] * mean[i]
            let a = variance / (variance + 0.01)
            let b = mean[i] - a * mean[i]
            let gf = (a * image[i] + b - image[i]) * 255
            out[i] = Float(numpyUInt8(gf)) / 255
        }
        return Tensor(shape: [1, 1, h, w], data: out)
    }

    /// numpy's float32 → uint8 cast on x86-64: truncation toward zero to a 32-bit integer, keeping the low byte (so
    /// −3.7 becomes 253).
    static func numpyUInt8(_ value: Float) -> UInt8 {
        guard value.isFinite, abs(value) < 2_147_483_520 else { return 0 }
        return UInt8(truncatingIfNeeded: Int32(value))
    }

    /// `cv2.blur(src, (k, k))` on float32: the normalised k×k box (anchor k/2, so an even kernel reaches one pixel
    /// further up and left), BORDER_REFLECT_101, running sums in double as OpenCV keeps them for float input.
    /// Row sums are recomputed as rows enter and leave the window, so the extra memory is two rows, not an image.
    static func boxBlur(_ src: [Float], width w: Int, height h: Int, kernel k: Int) -> [Float] {
        let before = k / 2, after = k - 1 - before
        func rowSums(_ y: Int) -> [Double] {
            let row = reflect101(y, count: h) * w
            var out = [Double](repeating: 0, count: w)
            var sum = 0.0
            for dx in -before...after { sum += Double(src[row + reflect101(dx, count: w)]) }
            for x in 0..<w {
                out[x] = sum
                sum += Double(src[row + reflect101(x + after + 1, count: w)]) - Double(src[row + reflect101(x - before, count: w)])
            }
            return out
        }
        let scale = 1 / Double(k * k)
        var out = [Float](repeating: 0, count: w * h)
        var sums = [Double](repeating: 0, count: w)
        for dy in -before...after {
            let row = rowSums(dy)
            for x in 0..<w { sums[x] += row[x] }
        }
        for y in 0..<h {
            for x in 0..<w { out[y * w + x] = Float(sums[x] * scale) }
            guard y + 1 < h else { break }
            let entering = rowSums(y + after + 1), leaving = rowSums(y - before)
            for x in 0..<w { sums[x] += entering[x] - leaving[x] }
        }
        return out
    }

    /// OpenCV's BORDER_REFLECT_101 index (`gfedcb|abcdefgh|gfedcba`), applied until it lands inside.
    static func reflect101(_ i: Int, count n: Int) -> Int {
        guard n > 1 else { return 0 }
        var i = i
        while i < 0 || i >= n { i = i < 0 ? -i : 2 * n - 2 - i }
        return i
    }
}
