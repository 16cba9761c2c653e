import TesseraTensor

/// Tiled VAE encode and decode that give the untiled result (to float rounding) with working
/// memory bounded by the tile size, not the image size (besides the result tensor itself and,
/// with `.global` attention, the keys and values of the whole latent).
///
/// The network is cut at every GroupNorm into stages of local operations. Each stage runs tile by
/// tile over the previous stage's stored output — a tile reads its core plus the one or two
/// context pixels its convolutions need — and gathers the next GroupNorm's whole-image sums (in
/// Double) as it goes, so every GroupNorm uses exact whole-image statistics and the compute is
/// one pass. Between stages the whole-image activation lives in a `TiledVAEStorage`: memory for
/// small images, unlinked temporary files for large ones, so the process holds one tile.
///
/// Differences from the A1111 "Tiled VAE" extension (spec §7.5), on purpose: exact whole-image
/// GroupNorm statistics (not a weighted average of per-tile variances); no padded tiles whose
/// borders are thrown away; the mid-block attention is global by default (`.tile(context:)`
/// gives the extension's per-tile approximation, whose memory and compute stay per tile).
extension AutoencoderKL {
    /// Smallest decoder tile side, in latent pixels.
    public static let minimumDecoderTileSize = 8

    /// The latent-resolution tiles `decodeTiled` uses for a `latentHeight`×`latentWidth` latent
    /// and cores of at most `tileSize` latent pixels; later stages use the same grid scaled up.
    public func tiledDecodePlan(latentHeight: Int, latentWidth: Int, tileSize: Int) throws -> TiledVAEPlan {
        guard tileSize >= Self.minimumDecoderTileSize else {
            throw ModelError("decoder tile size", "\(tileSize) latent px is below the minimum \(Self.minimumDecoderTileSize)")
        }
        return TiledVAEPlan(rows: TiledVAEAxisPlan(size: latentHeight, tileSize: tileSize),
                            columns: TiledVAEAxisPlan(size: latentWidth, tileSize: tileSize))
    }

    /// The image-resolution tiles `encodeTiled` uses for an `imageHeight`×`imageWidth` image and
    /// cores of at most `tileSize` image pixels (a multiple of `downscale`, at least
    /// `8·downscale`); later stages use the same grid scaled down.
    public func tiledEncodePlan(imageHeight: Int, imageWidth: Int, tileSize: Int) throws -> TiledVAEPlan {
        guard tileSize >= 8 * downscale, tileSize % downscale == 0 else {
            throw ModelError("encoder tile size", "\(tileSize) image px must be a multiple of \(downscale) and at least \(8 * downscale)")
        }
        return TiledVAEPlan(rows: TiledVAEAxisPlan(size: imageHeight, tileSize: tileSize, alignment: downscale),
                            columns: TiledVAEAxisPlan(size: imageWidth, tileSize: tileSize, alignment: downscale))
    }

    /// `decode(latent)` computed in tiles of at most `tileSize` latent pixels per side (scaled
    /// up with the resolution: 8·`tileSize` image pixels at the last stages). `progress` is
    /// called after each stage (between two GroupNorms) with its index, the stage count and its
    /// output shape.
    public func decodeTiled(_ latent: Tensor, tileSize: Int, attention: TiledVAEAttention = .global,
                            storage: TiledVAEStorage = .default,
                            progress: ((_ stage: Int, _ stages: Int, _ shape: [Int]) -> Void)? = nil) throws -> Tensor {
        guard latent.rank == 4, latent.shape[1] == configuration.latentChannels else {
            throw ModelError("VAE input", "latent has shape \(latent.shape), expected [N, \(configuration.latentChannels), h, w]")
        }
        let (h, w) = (latent.shape[2], latent.shape[3])
        let plan = try tiledDecodePlan(latentHeight: h, latentWidth: w, tileSize: tileSize)
        if plan.isSingleTile { return try decode(latent) }
        var runner = try runner(ops: decoder.tiledOps, input: latent, tileSize: tileSize, attention: attention, storage: storage)
        runner.progress = progress
        return try runner.run(latent)
    }

    /// `encode(image)` computed in tiles of at most `tileSize` image pixels per side (scaled down
    /// with the resolution).
    public func encodeTiled(_ image: Tensor, tileSize: Int, attention: TiledVAEAttention = .global,
                            storage: TiledVAEStorage = .default) throws -> LatentDistribution {
        guard image.rank == 4, image.shape[1] == configuration.imageChannels else {
            throw ModelError("VAE input", "image has shape \(image.shape), expected [N, \(configuration.imageChannels), H, W]")
        }
        guard image.shape[2] % downscale == 0, image.shape[3] % downscale == 0 else {
            throw ModelError("VAE input", "image \(image.shape[3])x\(image.shape[2]) is not a multiple of \(downscale) on each side")
        }
        let plan = try tiledEncodePlan(imageHeight: image.shape[2], imageWidth: image.shape[3], tileSize: tileSize)
        if plan.isSingleTile { return try encode(image) }
        let moments = try runner(ops: encoder.tiledOps, input: image, tileSize: tileSize, attention: attention, storage: storage).run(image)
        return Self.distribution(moments: moments)
    }

    private func runner(ops: [TiledVAEOp], input: Tensor, tileSize: Int, attention: TiledVAEAttention,
                        storage: TiledVAEStorage) throws -> TiledVAERunner {
        if case .tile(let context) = attention, context < 0 {
            throw ModelError("tiled VAE attention context", "\(context) latent px is negative")
        }
        let (height, width) = (input.shape[2], input.shape[3])
        let stages = try TiledVAEStage.stages(of: ops, channels: input.shape[1], height: height, width: width)
        return TiledVAERunner(stages: stages, eps: configuration.eps, storage: storage, attention: attention) { h, w in
            // Each stage cuts its output in proportion to the input grid, so tiles keep the same
            // share of the image at every resolution.
            (max(1, tileSize * h / height), max(1, tileSize * w / width))
        }
    }
}

extension VAEDecoder {
    /// The whole decoder, flattened for tiling.
    var tiledOps: [TiledVAEOp] {
        var ops: [TiledVAEOp] = [.conv(postQuantConv), .conv(convIn)] + TiledVAEOp.midBlock(mid)
        for level in levels {
            for resnet in level.resnets { ops += TiledVAEOp.resnet(resnet) }
            if let up = level.upsampler { ops += [.upsampleNearest2x, .conv(up)] }
        }
        return ops + [.norm(normOut, silu: true), .conv(convOut)]
    }
}

extension VAEEncoder {
    /// The whole encoder, flattened for tiling.
    var tiledOps: [TiledVAEOp] {
        var ops: [TiledVAEOp] = [.conv(convIn)]
        for level in levels {
            for resnet in level.resnets { ops += TiledVAEOp.resnet(resnet) }
            if let down = level.downsampler { ops.append(.conv(down)) }
        }
        return ops + TiledVAEOp.midBlock(mid) + [.norm(normOut, silu: true), .conv(convOut), .conv(quantConv)]
    }
}

extension Tensor {
    /// The `rows × columns` window of every plane of `[N, C, H, W]`.
    func cropped(rows: Range<Int>, columns: Range<Int>) -> Tensor {
        let planes = shape[0] * shape[1], h = shape[2], w = shape[3]
        return Tensor(shape: [shape[0], shape[1], rows.count, columns.count]) { out in
            data.withUnsafeBufferPointer { src in
                var d = 0
                for p in 0..<planes {
                    for y in rows {
                        let row = p * h * w + y * w
                        for x in columns { out[d] = src[row + x]; d += 1 }
                    }
                }
            }
        }
    }

    /// Copies the `rows × columns` window of `tile`'s planes to this tensor at (`top`, `left`).
    mutating func paste(_ tile: Tensor, rows: Range<Int>, columns: Range<Int>, at top: Int, _ left: Int) {
        let planes = shape[0] * shape[1], h = shape[2], w = shape[3]
        let th = tile.shape[2], tw = tile.shape[3]
        tile.data.withUnsafeBufferPointer { src in
            data.withUnsafeMutableBufferPointer { dst in
                for p in 0..<planes {
                    for (i, y) in rows.enumerated() {
                        let from = p * th * tw + y * tw + columns.lowerBound
                        let to = p * h * w + (top + i) * w + left
                        for j in 0..<columns.count { dst[to + j] = src[from + j] }
                    }
                }
            }
        }
    }
}
