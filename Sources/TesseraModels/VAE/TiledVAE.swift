import TesseraTensor

/// Tiled VAE encode and decode that give the untiled result (to float rounding) with memory
/// bounded by one tile plus the latent-resolution mid-block.
///
/// Differences from the A1111 "Tiled VAE" extension (spec §7.5), on purpose:
/// * GroupNorm statistics are exact whole-image statistics (sum and sum of squares over every
///   tile's core, in Double), not a weighted average of per-tile variances;
/// * the tile padding is the exact receptive field of the tiled part of the network (not 11 / 32),
///   so each core pixel equals the untiled one;
/// * the mid-block (whose attention is global over all tokens) runs untiled at latent resolution,
///   so attention is exact; its memory is that of the latent-size mid-block;
/// * with `.recomputeTiles` (default) memory stays at one tile: tiles are re-run from their input
///   up to each GroupNorm to gather its statistics, so compute grows with the number of
///   GroupNorms; `.residentTiles` keeps all tiles instead (one pass, whole-activation memory).
extension AutoencoderKL {
    /// Smallest decoder tile side, in latent pixels.
    public static let minimumDecoderTileSize = 8

    /// The tiles `decodeTiled` uses for a `latentHeight`×`latentWidth` latent and cores of at most
    /// `tileSize` latent pixels.
    public func tiledDecodePlan(latentHeight: Int, latentWidth: Int, tileSize: Int) throws -> TiledVAEPlan {
        guard tileSize >= Self.minimumDecoderTileSize else {
            throw ModelError("decoder tile size", "\(tileSize) latent px is below the minimum \(Self.minimumDecoderTileSize)")
        }
        let padding = TiledVAEOp.receptiveField(of: decoder.tiledOps)
        return TiledVAEPlan(rows: TiledVAEAxisPlan(size: latentHeight, tileSize: tileSize, padding: padding, alignment: 1),
                            columns: TiledVAEAxisPlan(size: latentWidth, tileSize: tileSize, padding: padding, alignment: 1))
    }

    /// The tiles `encodeTiled` uses for an `imageHeight`×`imageWidth` image and cores of at most
    /// `tileSize` image pixels (a multiple of `downscale`, at least `8·downscale`).
    public func tiledEncodePlan(imageHeight: Int, imageWidth: Int, tileSize: Int) throws -> TiledVAEPlan {
        guard tileSize >= 8 * downscale, tileSize % downscale == 0 else {
            throw ModelError("encoder tile size", "\(tileSize) image px must be a multiple of \(downscale) and at least \(8 * downscale)")
        }
        let field = TiledVAEOp.receptiveField(of: encoder.tiledOps)
        let padding = (field + downscale - 1) / downscale * downscale
        return TiledVAEPlan(rows: TiledVAEAxisPlan(size: imageHeight, tileSize: tileSize, padding: padding, alignment: downscale),
                            columns: TiledVAEAxisPlan(size: imageWidth, tileSize: tileSize, padding: padding, alignment: downscale))
    }

    /// `decode(latent)` computed in tiles of at most `tileSize` latent pixels per side (the
    /// mid-block runs untiled at latent size); `strategy` trades memory for compute.
    public func decodeTiled(_ latent: Tensor, tileSize: Int, strategy: TiledVAEStrategy = .recomputeTiles) throws -> Tensor {
        guard latent.rank == 4, latent.shape[1] == configuration.latentChannels else {
            throw ModelError("VAE input", "latent has shape \(latent.shape), expected [N, \(configuration.latentChannels), h, w]")
        }
        let plan = try tiledDecodePlan(latentHeight: latent.shape[2], latentWidth: latent.shape[3], tileSize: tileSize)
        if plan.isSingleTile { return try decode(latent) }
        let middle = decoder.mid(decoder.convIn(decoder.postQuantConv(latent)))
        let scale = downscale
        var image = Tensor(shape: [latent.shape[0], configuration.imageChannels, scale * latent.shape[2], scale * latent.shape[3]])
        try runTiles(ops: decoder.tiledOps, plan: plan, strategy: strategy, input: middle, into: &image)
        return image
    }

    /// `encode(image)` with the network up to the mid-block computed in tiles of at most
    /// `tileSize` image pixels per side (the mid-block and output convolutions run untiled at
    /// latent size); `strategy` trades memory for compute.
    public func encodeTiled(_ image: Tensor, tileSize: Int, strategy: TiledVAEStrategy = .recomputeTiles) throws -> LatentDistribution {
        guard image.rank == 4, image.shape[1] == configuration.imageChannels else {
            throw ModelError("VAE input", "image has shape \(image.shape), expected [N, \(configuration.imageChannels), H, W]")
        }
        guard image.shape[2] % downscale == 0, image.shape[3] % downscale == 0 else {
            throw ModelError("VAE input", "image \(image.shape[3])x\(image.shape[2]) is not a multiple of \(downscale) on each side")
        }
        let plan = try tiledEncodePlan(imageHeight: image.shape[2], imageWidth: image.shape[3], tileSize: tileSize)
        if plan.isSingleTile { return try encode(image) }
        var features = Tensor(shape: [image.shape[0], configuration.blockOutChannels.last!,
                                      image.shape[2] / downscale, image.shape[3] / downscale])
        try runTiles(ops: encoder.tiledOps, plan: plan, strategy: strategy, input: image, into: &features)
        let e = encoder
        return Self.distribution(moments: e.quantConv(e.convOut(e.normOut(e.mid(features), silu: true))))
    }

    private func runTiles(ops: [TiledVAEOp], plan: TiledVAEPlan, strategy: TiledVAEStrategy, input: Tensor, into output: inout Tensor) throws {
        let rowCores = plan.rows.cores, columnCores = plan.columns.cores
        let runner = TiledVAERunner(ops: ops)
        try runner.runAll(count: plan.tileCount, eps: configuration.eps, strategy: strategy, makeTile: { i in
            let rowCore = rowCores[i / columnCores.count], columnCore = columnCores[i % columnCores.count]
            let rows = plan.rows.region(of: rowCore), columns = plan.columns.region(of: columnCore)
            return TiledVAETile(tensor: input.cropped(rows: rows, columns: columns),
                                rows: TiledAxis(region: rows, exact: rows, core: rowCore, size: plan.rows.size),
                                columns: TiledAxis(region: columns, exact: columns, core: columnCore, size: plan.columns.size))
        }, emit: { tile in
            guard tile.tensor.shape[1] == output.shape[1], tile.rows.size == output.shape[2], tile.columns.size == output.shape[3] else {
                throw ModelError("tiled VAE", "tile output \(tile.tensor.shape) does not fit the result \(output.shape)")
            }
            output.paste(tile.tensor, rows: tile.rows.localCore, columns: tile.columns.localCore,
                         at: tile.rows.core.lowerBound, tile.columns.core.lowerBound)
        })
    }
}

extension VAEDecoder {
    /// Everything after the mid-block, flattened for tiling.
    var tiledOps: [TiledVAEOp] {
        var ops: [TiledVAEOp] = []
        for level in levels {
            for resnet in level.resnets { ops += TiledVAEOp.resnet(resnet) }
            if let up = level.upsampler { ops += [.upsampleNearest2x, .conv(up)] }
        }
        return ops + [.norm(normOut, silu: true), .conv(convOut)]
    }
}

extension VAEEncoder {
    /// Everything before the mid-block, flattened for tiling.
    var tiledOps: [TiledVAEOp] {
        var ops: [TiledVAEOp] = [.conv(convIn)]
        for level in levels {
            for resnet in level.resnets { ops += TiledVAEOp.resnet(resnet) }
            if let down = level.downsampler { ops.append(.conv(down)) }
        }
        return ops
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
