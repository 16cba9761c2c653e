import TesseraTensor

/// How the tiled VAE treats the mid-block self-attention, the one non-local operation of the VAE.
public enum TiledVAEAttention: Sendable, Equatable {
    /// Every query attends to every pixel of the image, as the untiled VAE does. Keys and values
    /// of the whole latent stay in memory (2 · latent pixels · 512 floats: 1 GB at 4096²), and
    /// the compute grows with the square of the latent's pixel count.
    case global
    /// Each tile's queries attend only to the tile plus `context` latent pixels around it (the
    /// A1111 Tiled VAE extension's approximation, spec §7.5 point 5): memory and compute stay
    /// per tile; the result differs from the untiled VAE.
    case tile(context: Int)
}

/// Runs a flattened VAE network stage by stage over a whole image: each stage is computed tile by
/// tile from the previous stage's stored output (each tile reads only the small window its local
/// operations need), while the next GroupNorm's whole-image sums are gathered in Double. Compute
/// is one pass plus the few context pixels per tile; memory is one tile plus the stores.
struct TiledVAERunner {
    let stages: [TiledVAEStage]
    let eps: Float
    let storage: TiledVAEStorage
    let attention: TiledVAEAttention
    /// Output tile side of a stage, from its output size.
    let tileSide: (_ height: Int, _ width: Int) -> (rows: Int, columns: Int)
    /// Called after each stage with its index, the stage count and its output shape.
    var progress: ((_ stage: Int, _ stages: Int, _ shape: [Int]) -> Void)?

    /// Runs the network on `input` and returns the last stage's output.
    func run(_ input: Tensor) throws -> Tensor {
        let n = input.shape[0]
        var outputs: [Int: TiledActivationStore] = [-1: TiledActivationStore(wrapping: input)]
        var lastUse: [Int: Int] = [:]
        for (i, stage) in stages.enumerated() {
            lastUse[i - 1] = max(lastUse[i - 1] ?? 0, i)
            if let source = stage.skipSource { lastUse[source] = max(lastUse[source] ?? 0, i) }
        }
        var statistics: TiledGroupStatistics?
        var result = Tensor(shape: [0])
        for (s, stage) in stages.enumerated() {
            let (height, width) = stage.outputSize
            let isLast = s == stages.count - 1
            let shape = [n, stage.channels, height, width]
            let store = isLast ? nil : try TiledActivationStore(shape: shape, storage: storage)
            if isLast { result = Tensor(shape: shape) }
            let nextNorm = isLast ? nil : stages[s + 1].head.norm
            var sums = nextNorm.map { TiledGroupSums(slots: n * $0.groups) }
            let side = tileSide(height, width)
            let rowCores = TiledVAEAxisPlan.cores(size: height, tileSize: side.rows)
            let columnCores = TiledVAEAxisPlan.cores(size: width, tileSize: side.columns)
            let context = StageContext(stage: stage, input: outputs[s - 1]!, skip: stage.skipSource.map { outputs[$0]! },
                                       statistics: statistics,
                                       keysAndValues: try globalKeysAndValues(stage, input: outputs[s - 1]!, statistics: statistics))
            for rows in rowCores {
                for columns in columnCores {
                    let tile = try context.compute(rows: rows, columns: columns, attention: attention)
                    if let nextNorm { sums!.accumulate(tile, groups: nextNorm.groups, rows: 0..<rows.count, columns: 0..<columns.count) }
                    if let store { try store.write(tile, top: rows.lowerBound, left: columns.lowerBound) } else {
                        result.paste(tile, rows: 0..<rows.count, columns: 0..<columns.count, at: rows.lowerBound, columns.lowerBound)
                    }
                }
            }
            statistics = sums?.statistics(eps: eps)
            progress?(s, stages.count, shape)
            if let store { outputs[s] = store }
            for (key, last) in lastUse where last == s { outputs[key] = nil }
        }
        return result
    }

    /// For `.global` attention: keys and values of every pixel, `[N, pixels, C]` each, gathered
    /// tile by tile (attention does not depend on the order of its keys).
    private func globalKeysAndValues(_ stage: TiledVAEStage, input: TiledActivationStore,
                                     statistics: TiledGroupStatistics?) throws -> (Tensor, Tensor)? {
        guard case .attention(let block) = stage.head, attention == .global, let statistics else { return nil }
        let n = input.shape[0], c = input.shape[1], height = input.shape[2], width = input.shape[3]
        var keys = [[Float]](repeating: [], count: n), values = [[Float]](repeating: [], count: n)
        let side = tileSide(height, width)
        for rows in TiledVAEAxisPlan.cores(size: height, tileSize: side.rows) {
            for columns in TiledVAEAxisPlan.cores(size: width, tileSize: side.columns) {
                let tokens = statistics.normalize(try input.read(rows: rows, columns: columns), layer: block.norm, silu: false).imageToTokens()
                let k = block.attention.toK(tokens), v = block.attention.toV(tokens)
                let perItem = rows.count * columns.count * c
                for b in 0..<n {
                    keys[b] += k.data[(b * perItem)..<((b + 1) * perItem)]
                    values[b] += v.data[(b * perItem)..<((b + 1) * perItem)]
                }
            }
        }
        let tokens = height * width
        return (Tensor(shape: [n, tokens, c], data: keys.flatMap { $0 }), Tensor(shape: [n, tokens, c], data: values.flatMap { $0 }))
    }
}

/// Everything one stage's tiles read.
private struct StageContext {
    let stage: TiledVAEStage
    let input: TiledActivationStore
    let skip: TiledActivationStore?
    let statistics: TiledGroupStatistics?
    let keysAndValues: (Tensor, Tensor)?

    /// The stage output over `rows × columns` (output coordinates), equal to the untiled
    /// network's values there.
    func compute(rows: Range<Int>, columns: Range<Int>, attention: TiledVAEAttention) throws -> Tensor {
        // Walk back from the wanted output to the window of the stage input each step needs.
        var windows = [(rows: Range<Int>, columns: Range<Int>)](repeating: (rows, columns), count: stage.steps.count + 1)
        for i in stride(from: stage.steps.count - 1, through: 0, by: -1) {
            let out = windows[i + 1], size = stage.sizes[i]
            switch stage.steps[i] {
            case .conv(let layer):
                let k = layer.kernel, s = layer.stride, p = layer.padding
                windows[i] = (TiledVAEWindow.convolutionInput(for: out.rows, kernel: k, stride: s, low: p.top, size: size.height),
                              TiledVAEWindow.convolutionInput(for: out.columns, kernel: k, stride: s, low: p.left, size: size.width))
            case .upsampleNearest2x:
                windows[i] = (TiledVAEWindow.upsampleInput(for: out.rows), TiledVAEWindow.upsampleInput(for: out.columns))
            case .addSkip:
                windows[i] = out
            }
        }
        var x = try applyHead(rows: windows[0].rows, columns: windows[0].columns, attention: attention)
        for (i, step) in stage.steps.enumerated() {
            let from = windows[i], to = windows[i + 1]
            switch step {
            case .conv(let layer):
                let k = layer.kernel, s = layer.stride, p = layer.padding
                let (top, bottom) = TiledVAEWindow.convolutionPadding(input: from.rows, out: to.rows, kernel: k, stride: s, low: p.top)
                let (left, right) = TiledVAEWindow.convolutionPadding(input: from.columns, out: to.columns, kernel: k, stride: s, low: p.left)
                x = conv2d(x, weight: layer.store[layer.weight], bias: layer.bias.map { layer.store[$0] }, stride: s,
                           padding: Padding2D(top: top, left: left, bottom: bottom, right: right))
            case .upsampleNearest2x:
                let up = x.upsampledNearest2x()
                let top = to.rows.lowerBound - 2 * from.rows.lowerBound, left = to.columns.lowerBound - 2 * from.columns.lowerBound
                x = up.cropped(rows: top..<(top + to.rows.count), columns: left..<(left + to.columns.count))
            case .addSkip(let shortcut):
                guard let skip else { throw ModelError("tiled VAE", "a residual stage has no skip input") }
                let residual = try skip.read(rows: to.rows, columns: to.columns)
                x.add(shortcut.map { $0(residual) } ?? residual)
            }
        }
        return x
    }

    /// The stage input over `rows × columns` after the stage's GroupNorm or attention.
    private func applyHead(rows: Range<Int>, columns: Range<Int>, attention: TiledVAEAttention) throws -> Tensor {
        switch stage.head {
        case .none:
            return try input.read(rows: rows, columns: columns)
        case .norm(let layer, let silu):
            guard let statistics else { throw ModelError("tiled VAE", "GroupNorm statistics missing") }
            return statistics.normalize(try input.read(rows: rows, columns: columns), layer: layer, silu: silu)
        case .attention(let block):
            guard let statistics else { throw ModelError("tiled VAE", "GroupNorm statistics missing") }
            switch attention {
            case .global:
                guard let (keys, values) = keysAndValues else { throw ModelError("tiled VAE", "attention keys missing") }
                let x = try input.read(rows: rows, columns: columns)
                let q = block.attention.toQ(statistics.normalize(x, layer: block.norm, silu: false).imageToTokens())
                var out = block.attention.toOut(TesseraTensor.attention(query: q, key: keys, value: values, heads: block.attention.heads))
                    .tokensToImage(height: rows.count, width: columns.count)
                out.add(x)
                return out
            case .tile(let context):
                let height = input.shape[2], width = input.shape[3]
                let windowRows = max(0, rows.lowerBound - context)..<min(height, rows.upperBound + context)
                let windowColumns = max(0, columns.lowerBound - context)..<min(width, columns.upperBound + context)
                let x = try input.read(rows: windowRows, columns: windowColumns)
                let attended = block.attention(statistics.normalize(x, layer: block.norm, silu: false).imageToTokens())
                    .tokensToImage(height: windowRows.count, width: windowColumns.count)
                let top = rows.lowerBound - windowRows.lowerBound, left = columns.lowerBound - windowColumns.lowerBound
                let core = top..<(top + rows.count), coreColumns = left..<(left + columns.count)
                var out = attended.cropped(rows: core, columns: coreColumns)
                out.add(x.cropped(rows: core, columns: coreColumns))
                return out
            }
        }
    }
}
