/// Layout changes: channel concatenation, image ↔ token sequence, nearest upsampling, pixel unshuffle.
extension Tensor {
    /// Concatenates `[N, Cᵢ, ...]` tensors along the channel dimension (dimension 1).
    public static func concatChannels(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "concat of no tensors")
        let n = parts[0].shape[0]
        let tail = Array(parts[0].shape.dropFirst(2))
        precondition(parts.allSatisfy { $0.shape[0] == n && Array($0.shape.dropFirst(2)) == tail },
                     "concat needs equal batch and spatial sizes: \(parts.map(\.shape))")
        let plane = tail.reduce(1, *)
        let channels = parts.map { $0.shape[1] }
        let total = channels.reduce(0, +)
        return Tensor(shape: [n, total] + tail) { out in
            for b in 0..<n {
                var offset = b * total * plane
                for (i, part) in parts.enumerated() {
                    let size = channels[i] * plane
                    part.data.withUnsafeBufferPointer { src in
                        (out.baseAddress! + offset).update(from: src.baseAddress! + b * size, count: size)
                    }
                    offset += size
                }
            }
        }
    }

    /// `[N, C, H, W]` → `[N, H·W, C]`: image to token sequence.
    public func imageToTokens() -> Tensor {
        precondition(rank == 4, "imageToTokens wants [N,C,H,W], got \(shape)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let hw = h * w
        return Tensor(shape: [n, hw, c]) { out in
            data.withUnsafeBufferPointer { src in
                Parallel.forEach(n * c, minimumChunk: 4) { nc in
                    let b = nc / c, ch = nc % c
                    let s = src.baseAddress! + nc * hw
                    let d = out.baseAddress! + b * hw * c + ch
                    for t in 0..<hw { d[t * c] = s[t] }
                }
            }
        }
    }

    /// `[N, H·W, C]` → `[N, C, H, W]`: token sequence back to image.
    public func tokensToImage(height: Int, width: Int) -> Tensor {
        precondition(rank == 3 && shape[1] == height * width, "tokensToImage: \(shape) is not \(height)x\(width) tokens")
        let (n, hw, c) = (shape[0], shape[1], shape[2])
        return Tensor(shape: [n, c, height, width]) { out in
            data.withUnsafeBufferPointer { src in
                Parallel.forEach(n * c, minimumChunk: 4) { nc in
                    let b = nc / c, ch = nc % c
                    let s = src.baseAddress! + b * hw * c + ch
                    let d = out.baseAddress! + nc * hw
                    for t in 0..<hw { d[t] = s[t * c] }
                }
            }
        }
    }

    /// Nearest-neighbour ×2 upsampling of `[N, C, H, W]` (PyTorch `interpolate(scale_factor=2, mode="nearest")`).
    public func upsampledNearest2x() -> Tensor {
        precondition(rank == 4, "upsample wants [N,C,H,W], got \(shape)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        return Tensor(shape: [n, c, 2 * h, 2 * w]) { out in
            data.withUnsafeBufferPointer { src in
                Parallel.forEach(n * c * h, minimumChunk: 16) { row in
                    let s = src.baseAddress! + row * w
                    let d = out.baseAddress! + row * 4 * w
                    for x in 0..<w { d[2 * x] = s[x]; d[2 * x + 1] = s[x] }
                    (d + 2 * w).update(from: d, count: 2 * w)
                }
            }
        }
    }

    /// Pixel unshuffle (PyTorch `pixel_unshuffle`): `[N, C, H, W]` → `[N, C·f², H/f, W/f]`,
    /// output channel `c·f² + i·f + j` holding pixel `(y·f + i, x·f + j)` of channel `c`.
    public func pixelUnshuffled(_ factor: Int) -> Tensor {
        precondition(rank == 4 && shape[2] % factor == 0 && shape[3] % factor == 0,
                     "pixel unshuffle by \(factor) needs sides divisible by it, got \(shape)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let ho = h / factor, wo = w / factor
        let f2 = factor * factor
        return Tensor(shape: [n, c * f2, ho, wo]) { out in
            data.withUnsafeBufferPointer { src in
                Parallel.forEach(n * c * f2) { oc in
                    let b = oc / (c * f2), rest = oc % (c * f2)
                    let ch = rest / f2, i = (rest % f2) / factor, j = rest % factor
                    let s = src.baseAddress! + (b * c + ch) * h * w
                    let d = out.baseAddress! + oc * ho * wo
                    for y in 0..<ho { for x in 0..<wo { d[y * wo + x] = s[(y * factor + i) * w + x * factor + j] } }
                }
            }
        }
    }
}

extension Tensor {
    /// Nearest-neighbour resize of `[N, C, H, W]` to `height × width` (PyTorch `interpolate(size=, mode="nearest")`:
    /// source index `floor(dst · in / out)`).
    public func upsampledNearest(height: Int, width: Int) -> Tensor {
        precondition(rank == 4, "resize wants [N,C,H,W], got \(shape)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let xs = (0..<width).map { min(w - 1, Int(Float($0) * (Float(w) / Float(width)))) }
        let ys = (0..<height).map { min(h - 1, Int(Float($0) * (Float(h) / Float(height)))) }
        return Tensor(shape: [n, c, height, width]) { out in
            data.withUnsafeBufferPointer { src in
                Parallel.forEach(n * c) { p in
                    let s = src.baseAddress! + p * h * w
                    let d = out.baseAddress! + p * height * width
                    for y in 0..<height { for x in 0..<width { d[y * width + x] = s[ys[y] * w + xs[x]] } }
                }
            }
        }
    }
}
