import Foundation
import TesseraCheckpoint
import TesseraModels
import TesseraPrompt

/// One loaded SD1.x checkpoint (UNet, VAE, CLIP text encoder and tokenizer), kept in memory
/// and reused for many jobs. LoRAs are merged into its parameter stores per job and restored
/// afterwards, so the weights seen by the next job are always the loaded ones.
public final class StableDiffusionModel: @unchecked Sendable {
    /// The file or diffusers folder it was loaded from.
    public let path: String
    /// A1111's "Model" infotext value: the file name without folder or extension.
    public let name: String
    public let unet: UNet
    public let vae: AutoencoderKL
    public let textEncoder: CLIPTextEncoder
    public let tokenizer: CLIPTokenizer
    /// A1111's AutoV2 hash (10 hex), computed lazily because it reads the whole file.
    public private(set) lazy var autoV2Hash: String? = {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { return nil }
        return try? ModelHashes.compute(path: path).autoV2
    }()

    /// Loads an LDM single file (`.safetensors`/`.ckpt`) or a diffusers pipeline folder.
    /// Head counts cannot be read from tensor shapes: diffusers folders supply them through
    /// `unet/config.json` and `text_encoder/config.json`; LDM files get SD1.5's (8 UNet heads,
    /// 12 text-encoder heads) unless the configurations are given.
    public init(path: String, unetConfiguration: UNetConfiguration? = nil,
                textEncoderConfiguration: CLIPTextConfiguration? = nil) throws {
        self.path = path
        name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let weights = try StableDiffusionWeights.open(path: path)
        var unetConfig = unetConfiguration, textConfig = textEncoderConfiguration
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            func config(_ component: String) throws -> ConfigFile? {
                let file = URL(fileURLWithPath: path).appendingPathComponent("\(component)/config.json").path
                return FileManager.default.fileExists(atPath: file) ? try ConfigFile(path: file) : nil
            }
            if unetConfig == nil, let file = try config("unet") {
                unetConfig = try UNetConfiguration.infer(from: weights.unet, config: file)
            }
            if textConfig == nil, let file = try config("text_encoder") {
                textConfig = try CLIPTextConfiguration.infer(from: weights.textEncoder, config: file)
            }
        }
        unet = try UNet(source: weights.unet, configuration: unetConfig)
        vae = try AutoencoderKL(source: weights.vae)
        textEncoder = try CLIPTextEncoder(source: weights.textEncoder, configuration: textConfig)
        tokenizer = try CLIPTokenizer.bundled()
    }

    /// A model from already built components (benchmarks, tests, models assembled from separate files).
    public init(unet: UNet, vae: AutoencoderKL, textEncoder: CLIPTextEncoder, name: String, path: String = "") throws {
        self.path = path
        self.name = name
        self.unet = unet
        self.vae = vae
        self.textEncoder = textEncoder
        tokenizer = try CLIPTokenizer.bundled()
    }

    /// Whether the UNet is an inpainting model (9 input channels: latent, mask, masked-image latent).
    public var isInpaintingModel: Bool { unet.configuration.inChannels == 9 }
}
