/// Zero padding added around an image before a convolution, in pixels per side.
///
/// Asymmetric padding exists for the VAE encoder's downsampler, which pads only right and bottom.
public struct Padding2D: Sendable, Equatable {
    /// Pixels of zeros above, left of, below and right of the image.
    public var top: Int, left: Int, bottom: Int, right: Int

    public init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top; self.left = left; self.bottom = bottom; self.right = right
    }

    /// The same padding on every side.
    public static func uniform(_ p: Int) -> Padding2D { Padding2D(top: p, left: p, bottom: p, right: p) }
}

/// Largest im2col buffer one convolution allocates, in floats (16 MB): image size never changes it.
let im2colBudget = 1 << 22

/// 2-D cross-correlation (PyTorch `Conv2d`) of `input` `[N, C, H, W]` with `weight` `[O, C, kh, kw]`.
///
/// 1×1 stride-1 convolutions are one matrix product per image. Larger kernels go through im2col in
/// bands of output rows, so the scratch buffer is bounded whatever the image size.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Padding2D = .uniform(0)) -> Tensor {
    precondition(input.rank == 4 && weight.rank == 4, "conv2d wants [N,C,H,W] input and [O,C,kh,kw] weight, got \(input.shape) and \(weight.shape)")
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
    precondition(weight.shape[1] == c, "conv2d weight \(weight.shape) expects \(weight.shape[1]) input channels, input has \(c)")
    precondition(bias == nil || bias!.count == o, "conv2d bias has \(bias!.count) elements for \(o) output channels")
    let hOut = (h + padding.top + padding.bottom - kh) / stride + 1
    let wOut = (w + padding.left + padding.right - kw) / stride + 1
    precondition(hOut > 0 && wOut > 0, "conv2d output would be empty for input \(input.shape)")
    let planeOut = hOut * wOut
    let ckk = c * kh * kw

    return Tensor(shape: [n, o, hOut, wOut]) { out in
        // Output starts as the bias so the products accumulate onto it (beta = 1).
        fillBias(out, bias: bias, channels: o, plane: planeOut, batch: n)
        input.data.withUnsafeBufferPointer { x in
            weight.data.withUnsafeBufferPointer { wt in
                let pointwise = kh == 1 && kw == 1 && stride == 1 && padding == .uniform(0)
                if pointwise {
                    for b in 0..<n {
                        BLAS.gemm(m: o, n: planeOut, k: c, a: wt.baseAddress!, lda: c,
                                  b: x.baseAddress! + b * c * h * w, ldb: h * w,
                                  beta: 1, c: out.baseAddress! + b * o * planeOut, ldc: planeOut)
                    }
                    return
                }
                let rowsPerBand = max(1, min(hOut, im2colBudget / max(1, ckk * wOut)))
                ScratchPool.withBuffer(ckk * rowsPerBand * wOut) { col in
                    for b in 0..<n {
                        let image = x.baseAddress! + b * c * h * w
                        var row0 = 0
                        while row0 < hOut {
                            let rows = min(rowsPerBand, hOut - row0)
                            let bandWidth = rows * wOut
                            let geometry = Im2ColGeometry(
                                channels: c, height: h, width: w, kh: kh, kw: kw, stride: stride,
                                padTop: padding.top, padLeft: padding.left, wOut: wOut, row0: row0, rows: rows)
                            Parallel.forEach(c) { ch in
                                geometry.fill(channel: ch, image: image, columns: col)
                            }
                            BLAS.gemm(m: o, n: bandWidth, k: ckk, a: wt.baseAddress!, lda: ckk,
                                      b: col, ldb: bandWidth,
                                      beta: 1, c: out.baseAddress! + b * o * planeOut + row0 * wOut, ldc: planeOut)
                            row0 += rows
                        }
                    }
                }
            }
        }
    }
}

/// Writes `bias[ch]` (or zero) over each channel plane of an `[N, C, plane]` buffer.
func fillBias(_ out: UnsafeMutableBufferPointer<Float>, bias: Tensor?, channels: Int, plane: Int, batch: Int) {
    Parallel.forEach(batch * channels, minimumChunk: 8) { i in
        let value = bias?.data[i % channels] ?? 0
        (out.baseAddress! + i * plane).update(repeating: value, count: plane)
    }
}

/// Where one band of output rows reads its input pixels: im2col for rows `row0..<row0+rows`.
struct Im2ColGeometry {
    let channels: Int, height: Int, width: Int, kh: Int, kw: Int, stride: Int
    let padTop: Int, padLeft: Int, wOut: Int, row0: Int, rows: Int

    /// Fills the `kh·kw` column rows belonging to input channel `channel`.
    func fill(channel: Int, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>) {
        let bandWidth = rows * wOut
        let plane = image + channel * height * width
        for ki in 0..<kh {
            for kj in 0..<kw {
                let dst = columns + ((channel * kh + ki) * kw + kj) * bandWidth
                // Output columns whose input column lands inside the image.
                let shift = kj - padLeft
                var ox0 = 0
                while ox0 < wOut && ox0 * stride + shift < 0 { ox0 += 1 }
                var ox1 = wOut
                while ox1 > ox0 && (ox1 - 1) * stride + shift >= width { ox1 -= 1 }
                for r in 0..<rows {
                    let iy = (row0 + r) * stride - padTop + ki
                    let d = dst + r * wOut
                    if iy < 0 || iy >= height {
                        d.update(repeating: 0, count: wOut)
                        continue
                    }
                    if ox0 > 0 { d.update(repeating: 0, count: ox0) }
                    if ox1 < wOut { (d + ox1).update(repeating: 0, count: wOut - ox1) }
                    if ox1 > ox0 {
                        let src = plane + iy * width + shift
                        if stride == 1 {
                            (d + ox0).update(from: src + ox0, count: ox1 - ox0)
                        } else {
                            for ox in ox0..<ox1 { d[ox] = src[ox * stride] }
                        }
                    }
                }
            }
        }
    }
}
