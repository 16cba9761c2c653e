import TesseraTensor

/// Joins per-tile predictions into one latent prediction (spec §7.3), always summing tiles in a fixed order (the
/// grid row-major, then the regions in their order) so the result is the same bit for bit wherever and in whatever
/// order the tiles were computed.
///
/// The evaluated tiles are the grid's (when drawn) followed by one per region. Every tile contributes its
/// CFG-combined eps for its crop of `x`:
/// * MultiDiffusion: `x0_tile = x_tile − σ·eps_tile`; `x0 = Σ x0_tile / W` where `W` (background tiles covering the
///   cell) > 1.
/// * Mixture of Diffusers: `eps = Σ g·eps_tile / Σ g`; `x0 = x − σ·eps`.
///
/// Background regions count as tiles (weight 1, or their own Gaussian); Foreground regions are blended over the
/// result with their feather mask, overlapping foregrounds averaged: `out·(1 − m) + fg·m`.
public struct LatentTileFusion: Sendable {
    /// What an evaluated tile is.
    public enum Layer: Sendable, Equatable {
        case grid
        case background(region: Int)
        case foreground(region: Int)

        /// The region index, nil for a grid tile.
        public var region: Int? {
            switch self {
            case .grid: nil
            case let .background(region), let .foreground(region): region
            }
        }
    }

    public let grid: TiledDiffusionGrid
    public let method: TiledDiffusionSettings.Method
    /// Every evaluated tile in fusion order, and what it is.
    public let tiles: [LatentTile]
    public let layers: [Layer]
    /// Per-tile weight of the grid tiles, `[th × tw]` row-major (all 1 for MultiDiffusion).
    public let tileWeights: [Float]
    /// Per region: its background weight (Gaussian or 1) or its foreground feather mask, `[h × w]` of its box.
    public let regionWeights: [[Float]]
    /// Per latent cell, the sum of the weights of the background tiles covering it, `[h × w]`.
    public let weightMap: [Float]
    /// Per latent cell, how many foreground regions cover it, and their mask averaged over them.
    private let foregroundCount: [Float]
    private let foregroundMask: [Float]

    /// The fusion of `grid` alone.
    public init(grid: TiledDiffusionGrid, method: TiledDiffusionSettings.Method) {
        // Without regions every cell is covered by the grid, so this cannot fail.
        try! self.init(grid: grid, method: method, regions: [], drawGrid: true)
    }

    /// The fusion of `grid` (when `drawGrid`) and `regions`. Throws when some latent cell is covered by no background
    /// layer: the extension fuses such a cell to 0 and the image breaks there.
    public init(grid: TiledDiffusionGrid, method: TiledDiffusionSettings.Method, regions: [TiledDiffusionRegion],
                drawGrid: Bool) throws {
        self.grid = grid
        self.method = method
        let (w, h) = (grid.latentWidth, grid.latentHeight)
        let (tw, th) = (grid.tileWidth, grid.tileHeight)
        tileWeights = Self.backgroundWeights(method, width: tw, height: th)
        var tiles = drawGrid ? grid.tiles : []
        var layers = [Layer](repeating: .grid, count: tiles.count)
        var regionWeights: [[Float]] = []
        for (index, region) in regions.enumerated() {
            let box = region.latentBox(latentWidth: w, latentHeight: h)
            guard box.width > 0, box.height > 0 else {
                throw PipelineError("regions[\(index)]", "covers no latent cell of the \(w)x\(h) latent")
            }
            tiles.append(box)
            switch region.blendMode {
            case .background:
                layers.append(.background(region: index))
                regionWeights.append(Self.backgroundWeights(method, width: box.width, height: box.height))
            case .foreground:
                layers.append(.foreground(region: index))
                regionWeights.append(TiledDiffusionRegion.featherMask(width: box.width, height: box.height, ratio: region.featherRatio))
            }
        }
        var map = [Float](repeating: 0, count: w * h)
        var count = [Float](repeating: 0, count: w * h)
        var mask = [Float](repeating: 0, count: w * h)
        for (tile, layer) in zip(tiles, layers) {
            let weights = layer.region.map { regionWeights[$0] } ?? tileWeights
            for j in 0..<tile.height {
                for i in 0..<tile.width {
                    let k = (tile.y + j) * w + tile.x + i
                    if case .foreground = layer {
                        count[k] += 1
                        mask[k] += weights[j * tile.width + i]
                    } else {
                        map[k] += weights[j * tile.width + i]
                    }
                }
            }
        }
        if let uncovered = map.firstIndex(where: { $0 <= 0 }) {
            throw PipelineError("regions", "latent cell (\(uncovered % w), \(uncovered / w)) is covered by no background: turn on draw_background (--draw-background) or add a Background region covering the canvas")
        }
        for k in mask.indices where count[k] > 1 { mask[k] /= count[k] }
        self.tiles = tiles
        self.layers = layers
        self.regionWeights = regionWeights
        weightMap = map
        foregroundCount = count
        foregroundMask = mask
    }

    /// The fusion of a job's settings over its grid.
    public init(grid: TiledDiffusionGrid, settings: TiledDiffusionSettings) throws {
        try self.init(grid: grid, method: settings.method, regions: settings.regions, drawGrid: settings.drawsGrid)
    }

    private static func backgroundWeights(_ method: TiledDiffusionSettings.Method, width: Int, height: Int) -> [Float] {
        method == .mixtureOfDiffusers
            ? MixtureOfDiffusersWeights.gaussian(tileWidth: width, tileHeight: height)
            : [Float](repeating: 1, count: width * height)
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

    /// The crops of every evaluated tile, in fusion order.
    public func crops(of x: Tensor) throws -> [Tensor] {
        try checkLatent(x)
        return tiles.map { crop(x, to: $0) }
    }

    /// One prediction per evaluated tile, each `[1, channels, tile height, tile width]`.
    private func checkTilePredictions(_ tileEps: [Tensor], channels c: Int) throws {
        guard tileEps.count == tiles.count else {
            throw PipelineError("tiled diffusion", "\(tileEps.count) tile predictions for \(tiles.count) tiles")
        }
        for (index, (eps, tile)) in zip(tileEps, tiles).enumerated() where eps.shape != [1, c, tile.height, tile.width] {
            throw PipelineError("tiled diffusion", "tile \(index) prediction has shape \(eps.shape), expected \([1, c, tile.height, tile.width])")
        }
    }

    /// The fused x0 for `x` at `sigma` from every tile's eps (fusion order).
    public func denoised(x: Tensor, sigma: Float, tileEps: [Tensor]) throws -> Tensor {
        try checkLatent(x)
        let c = x.shape[1]
        try checkTilePredictions(tileEps, channels: c)
        var out = x
        switch method {
        case .multiDiffusion:
            // The same arithmetic as CompVisDenoiser (x + (−σ)·eps), so a one-tile grid is exact.
            out.data = fuse(tileEps, channels: c) { k, e in x.data[k] + (-sigma) * e }
        case .mixtureOfDiffusers:
            let eps = fuse(tileEps, channels: c) { _, e in e }
            for k in out.data.indices { out.data[k] = x.data[k] + (-sigma) * eps[k] }
        }
        return out
    }

    /// The fused eps `[1, C, h, w]` of a timestep sampler's call (spec §7.3: for DDIM-type samplers both methods fuse
    /// eps): MultiDiffusion `Σ eps_tile / W` where `W` > 1; Mixture of Diffusers `Σ g·eps_tile / Σ g`.
    public func fusedEps(tileEps: [Tensor], channels c: Int) throws -> Tensor {
        try checkTilePredictions(tileEps, channels: c)
        return Tensor(shape: [1, c, grid.latentHeight, grid.latentWidth], data: fuse(tileEps, channels: c) { _, e in e })
    }

    /// Fuses per-tile values (`value(canvas index, eps)`, the x0 or the eps a tile predicts for a cell) into the
    /// canvas: background tiles weighted and normalised, then the foreground regions blended over them.
    private func fuse(_ tileEps: [Tensor], channels c: Int, value: (Int, Float) -> Float) -> [Float] {
        let (w, h) = (grid.latentWidth, grid.latentHeight), plane = w * h
        let weighted = method == .mixtureOfDiffusers
        var buffer = [Float](repeating: 0, count: c * plane)
        var foreground: [Float]? = nil
        for (index, (tile, eps)) in zip(tiles, tileEps).enumerated() {
            let layer = layers[index]
            let weights = layer.region.map { regionWeights[$0] } ?? tileWeights
            let isForeground: Bool
            if case .foreground = layer { isForeground = true } else { isForeground = false }
            if isForeground, foreground == nil { foreground = [Float](repeating: 0, count: c * plane) }
            let tilePlane = tile.width * tile.height
            for ch in 0..<c {
                for j in 0..<tile.height {
                    let row = ch * plane + (tile.y + j) * w + tile.x
                    let tileRow = ch * tilePlane + j * tile.width
                    for i in 0..<tile.width {
                        let v = value(row + i, eps.data[tileRow + i])
                        if isForeground {
                            foreground![row + i] += v
                        } else {
                            buffer[row + i] += weighted ? v * weights[j * tile.width + i] : v
                        }
                    }
                }
            }
        }
        for ch in 0..<c {
            for p in 0..<plane {
                let k = ch * plane + p, weight = weightMap[p]
                // MultiDiffusion leaves single-coverage cells as they are, so a one-tile grid is exactly untiled.
                if weighted || weight > 1 { buffer[k] /= weight }
            }
        }
        guard let foreground else { return buffer }
        for ch in 0..<c {
            for p in 0..<plane where foregroundCount[p] > 0 {
                let k = ch * plane + p, count = foregroundCount[p], m = foregroundMask[p]
                let fg = count > 1 ? foreground[k] / count : foreground[k]
                buffer[k] = buffer[k] * (1 - m) + fg * m
            }
        }
        return buffer
    }

    /// The renoise blend's random noise when the grid is not drawn (the extension's regional-inpainting filter):
    /// `noise·(1 − m) + avg_fg(noise)·m` over foreground cells, with `m` the averaged feather mask.
    public func regionFilteredNoise(_ noise: Tensor) -> Tensor {
        guard layers.contains(where: { if case .foreground = $0 { true } else { false } }) else { return noise }
        let plane = grid.latentWidth * grid.latentHeight
        var out = noise
        for k in out.data.indices {
            let p = k % plane, count = foregroundCount[p]
            guard count > 0 else { continue }
            // Every covering foreground adds the same noise value, so their average is that value.
            let m = foregroundMask[p], n = noise.data[k]
            out.data[k] = n * (1 - m) + n * m
        }
        return out
    }

    private func checkLatent(_ x: Tensor) throws {
        guard x.rank == 4, x.shape[0] == 1, x.shape[2] == grid.latentHeight, x.shape[3] == grid.latentWidth else {
            throw PipelineError("tiled diffusion",
                                "latent has shape \(x.shape), the grid expects [1, C, \(grid.latentHeight), \(grid.latentWidth)]")
        }
    }
}
