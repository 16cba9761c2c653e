import TesseraTensor

/// Joins per-tile predictions into one latent prediction (spec §7.3), always summing tiles in the grid's row-major
/// order so the result is the same bit for bit wherever and in whatever order the tiles were computed.
///
/// Every tile contributes its CFG-combined eps for its crop of `x`:
/// * MultiDiffusion: `x0_tile = x_tile − σ·eps_tile`; `x0 = Σ x0_tile / W` where `W` (tiles covering the cell) > 1.
/// * Mixture of Diffusers: `eps = Σ g·eps_tile / Σ g`; `x0 = x − σ·eps`.
public struct LatentTileFusion: Sendable {
    public let grid: TiledDiffusionGrid
    public let method: TiledDiffusionSettings.Method
    /// Per-tile weight, `[th × tw]` row-major (all 1 for MultiDiffusion).
    public let tileWeights: [Float]
    /// Per latent cell, the sum of the weights of the tiles covering it, `[h × w]`.
    public let weightMap: [Float]

    public init(grid: TiledDiffusionGrid, method: TiledDiffusionSettings.Method) {
        self.grid = grid
        self.method = method
        let (tw, th) = (grid.tileWidth, grid.tileHeight)
        tileWeights = method == .mixtureOfDiffusers
            ? MixtureOfDiffusersWeights.gaussian(tileWidth: tw, tileHeight: th)
            : [Float](repeating: 1, count: tw * th)
        var map = [Float](repeating: 0, count: grid.latentWidth * grid.latentHeight)
        for tile in grid.tiles {
            for j in 0..<th {
                for i in 0..<tw { map[(tile.y + j) * grid.latentWidth + tile.x + i] += tileWeights[j * tw + i] }
            }
        }
        weightMap = map
    }

    /// The `[1, C, th, tw]` crop of a `[1, C, h, w]` latent under `tile`.
    public func crop(_ x: Tensor, to tile: LatentTile) -> Tensor { Self.crop(x, to: tile) }

    /// The `[1, C, th, tw]` crop of a `[1, C, h, w]` tensor under `tile`.
    public static func crop(_ x: Tensor, to tile: LatentTile) -> Tensor {
        let (c, w) = (x.shape[1], x.shape[3])
        let planeIn = x.shape[2] * w
        var data = [Float]()
        data.reserveCapacity(c * tile.width * tile.height)
        for ch in 0..<c {
            for j in 0..<tile.height {
                let start = ch * planeIn + (tile.y + j) * w + tile.x
                data += x.data[start..<(start + tile.width)]
            }
        }
        return Tensor(shape: [1, c, tile.height, tile.width], data: data)
    }

    /// The crops of every tile, in grid order.
    public func crops(of x: Tensor) throws -> [Tensor] {
        try checkLatent(x)
        return grid.tiles.map { crop(x, to: $0) }
    }

    /// One prediction per grid tile, each `[1, channels, tileHeight, tileWidth]`.
    private func checkTilePredictions(_ tileEps: [Tensor], channels c: Int) throws {
        guard tileEps.count == grid.tiles.count else {
            throw PipelineError("tiled diffusion", "\(tileEps.count) tile predictions for a grid of \(grid.tiles.count) tiles")
        }
        let (tw, th) = (grid.tileWidth, grid.tileHeight)
        for (index, eps) in tileEps.enumerated() where eps.shape != [1, c, th, tw] {
            throw PipelineError("tiled diffusion", "tile \(index) prediction has shape \(eps.shape), expected \([1, c, th, tw])")
        }
    }

    /// The fused x0 for `x` at `sigma` from every tile's eps (grid order, each `[1, C, th, tw]`).
    public func denoised(x: Tensor, sigma: Float, tileEps: [Tensor]) throws -> Tensor {
        try checkLatent(x)
        let c = x.shape[1], (w, h) = (grid.latentWidth, grid.latentHeight), plane = w * h
        let (tw, th) = (grid.tileWidth, grid.tileHeight), tilePlane = tw * th
        try checkTilePredictions(tileEps, channels: c)
        var buffer = [Float](repeating: 0, count: c * plane)
        for (tile, eps) in zip(grid.tiles, tileEps) {
            for ch in 0..<c {
                for j in 0..<th {
                    let row = ch * plane + (tile.y + j) * w + tile.x
                    let tileRow = ch * tilePlane + j * tw
                    for i in 0..<tw {
                        let e = eps.data[tileRow + i]
                        switch method {
                        case .multiDiffusion:
                            // The same arithmetic as CompVisDenoiser (x + (−σ)·eps), so a one-tile grid is exact.
                            buffer[row + i] += x.data[row + i] + (-sigma) * e
                        case .mixtureOfDiffusers:
                            buffer[row + i] += e * tileWeights[j * tw + i]
                        }
                    }
                }
            }
        }
        var out = x
        for ch in 0..<c {
            for p in 0..<plane {
                let k = ch * plane + p, weight = weightMap[p]
                switch method {
                case .multiDiffusion:
                    out.data[k] = weight > 1 ? buffer[k] / weight : buffer[k]
                case .mixtureOfDiffusers:
                    out.data[k] = x.data[k] + (-sigma) * (buffer[k] / weight)
                }
            }
        }
        return out
    }

    /// The fused eps `[1, C, h, w]` of a timestep sampler's call (spec §7.3: for DDIM-type samplers both methods fuse
    /// eps): MultiDiffusion `Σ eps_tile / W` where `W` > 1; Mixture of Diffusers `Σ g·eps_tile / Σ g`.
    public func fusedEps(tileEps: [Tensor], channels c: Int) throws -> Tensor {
        let (w, h) = (grid.latentWidth, grid.latentHeight), plane = w * h
        let (tw, th) = (grid.tileWidth, grid.tileHeight), tilePlane = tw * th
        try checkTilePredictions(tileEps, channels: c)
        var buffer = [Float](repeating: 0, count: c * plane)
        for (tile, eps) in zip(grid.tiles, tileEps) {
            for ch in 0..<c {
                for j in 0..<th {
                    let row = ch * plane + (tile.y + j) * w + tile.x
                    let tileRow = ch * tilePlane + j * tw
                    for i in 0..<tw {
                        let e = eps.data[tileRow + i]
                        buffer[row + i] += method == .mixtureOfDiffusers ? e * tileWeights[j * tw + i] : e
                    }
                }
            }
        }
        for ch in 0..<c {
            for p in 0..<plane {
                let k = ch * plane + p, weight = weightMap[p]
                // MultiDiffusion leaves single-coverage cells as they are, so a one-tile grid is exactly untiled.
                if method == .mixtureOfDiffusers || weight > 1 { buffer[k] /= weight }
            }
        }
        return Tensor(shape: [1, c, h, w], data: buffer)
    }

    private func checkLatent(_ x: Tensor) throws {
        guard x.rank == 4, x.shape[0] == 1, x.shape[2] == grid.latentHeight, x.shape[3] == grid.latentWidth else {
            throw PipelineError("tiled diffusion",
                                "latent has shape \(x.shape), the grid expects [1, C, \(grid.latentHeight), \(grid.latentWidth)]")
        }
    }
}
