import ArgumentParser
import Foundation
import TesseraModels
import TesseraTensor

/// `tessera-bench tiled-vae`: the full-size SD1.5 VAE (random weights) decoding a large latent
/// through the tiled path with whole-image GroupNorm statistics; prints seconds and peak RSS.
struct TiledVAEBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiled-vae",
        abstract: "Time a tiled SD1.5 VAE decode of a large image (random weights) and print peak RSS.")

    @Option(help: "Output image side in pixels (multiple of 8).")
    var size: Int = 4096

    @Option(help: "Decoder tile side in latent pixels.")
    var tile: Int = 64

    @Option(help: "Mid-block attention: 'global' (exact; keys/values of the whole latent in memory, compute grows with the square of the latent) or 'tile' (A1111 Tiled VAE's per-tile attention with --attention-context latent px).")
    var attention: String = "global"

    @Option(help: "Latent pixels of context around a tile for --attention tile (A1111 pads decoder tiles by 11).")
    var attentionContext: Int = 11

    @Option(help: "Where activations between GroupNorms live: 'auto' (files above 64 MB), 'memory' or 'files'.")
    var storage: String = "auto"

    func run() throws {
        guard size > 0, size % 8 == 0 else { throw ValidationError("--size must be a positive multiple of 8, got \(size)") }
        let attentionMode: TiledVAEAttention
        switch attention {
        case "global": attentionMode = .global
        case "tile": attentionMode = .tile(context: attentionContext)
        default: throw ValidationError("--attention must be global or tile, got '\(attention)'")
        }
        let storageMode: TiledVAEStorage
        switch storage {
        case "auto": storageMode = .default
        case "memory": storageMode = .memory
        case "files": storageMode = .temporaryFiles(directory: FileManager.default.temporaryDirectory.path)
        default: throw ValidationError("--storage must be auto, memory or files, got '\(storage)'")
        }
        let latentSide = size / 8
        let vae = try AutoencoderKL(randomWeights: .sd15, seed: 3)
        let plan = try vae.tiledDecodePlan(latentHeight: latentSide, latentWidth: latentSide, tileSize: tile)
        let attentionText = attention == "tile" ? "per-tile attention (+\(attentionContext) latent px)" : "global attention"
        say("tiled VAE decode: SD1.5 VAE, random weights, \(size)x\(size) output (\(latentSide)x\(latentSide) latent), "
            + "\(plan.tileCount) tiles of ≤\(tile) latent px (≤\(8 * tile) px at full resolution), \(attentionText), "
            + "storage \(storage), \(Parallel.coreCount) cores")
        say(String(format: "after loading: peak RSS (VmHWM) %.2f GB", ProcessUsage.peakRSSGB()))
        let latent = Self.randomLatent([1, 4, latentSide, latentSide], seed: 21)
        let start = Date()
        let image = try vae.decodeTiled(latent, tileSize: tile, attention: attentionMode, storage: storageMode) { stage, stages, shape in
            say(String(format: "  stage %2d/%d %@ done at %.0f s, peak RSS (VmHWM) %.2f GB",
                       stage + 1, stages, "\(shape)", Date().timeIntervalSince(start), ProcessUsage.peakRSSGB()))
        }
        let seconds = Date().timeIntervalSince(start)
        let finite = image.data.allSatisfy { $0.isFinite }
        say(String(format: "tiled-vae: decode %.1f s, output %@, finite %@, peak RSS (VmHWM) %.2f GB (goal ≤ 2 GB)",
                   seconds, "\(image.shape)", finite ? "yes" : "NO", ProcessUsage.peakRSSGB()))
    }

    /// Deterministic values in [-1, 1).
    static func randomLatent(_ shape: [Int], seed: UInt64) -> Tensor {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        let data = (0..<shape.reduce(1, *)).map { _ -> Float in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
        return Tensor(shape: shape, data: data)
    }

}
