import Foundation

/// What `tessera model info FILE|FOLDER` reports: kind, layout, dtypes, parameter count,
/// inferred configuration and A1111 hashes. Only headers are read (plus LoRA alphas, which are
/// scalars); hashing reads the whole file once, streamed.
public struct ModelInfo: Sendable, CustomStringConvertible {
    public var path: String
    public var detected: DetectedModel
    /// Stored container, e.g. "safetensors", "torch zip (.ckpt)", "sharded safetensors", "folder".
    public var container: String
    /// Tensor count per stored dtype.
    public var dtypes: [TensorDType: Int]
    /// Elements of all loaded tensors (LoRA: of all factors).
    public var parameterCount: Int
    /// Parameters per component ("unet", "vae", …).
    public var componentParameters: [String: Int]
    /// Hashes of the file (nil for folders or when not requested).
    public var hashes: ModelHashes?
    /// LoRA alpha / rank scale per module (LoRA files only).
    public var loraScales: [String: Float] = [:]

    /// Inspects `path`. Set `computeHashes` to false to skip reading the whole file.
    public static func inspect(path: String, computeHashes: Bool = true) throws -> ModelInfo {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw CheckpointError(path: path, problem: "no such file or folder")
        }
        if isDir.boolValue {
            let folder = try DiffusersFolder(path: path)
            let detected = try ModelDetector.detect(folder: folder)
            var dtypes: [TensorDType: Int] = [:]
            for c in folder.components.values { for info in c.archive.tensorInfos.values { dtypes[info.dtype, default: 0] += 1 } }
            return ModelInfo(path: path, detected: detected, container: "folder", dtypes: dtypes, hashes: nil)
        }
        let archive = try CheckpointArchive.open(path: path)
        let detected = try ModelDetector.detect(archive: archive)
        var dtypes: [TensorDType: Int] = [:]
        for info in archive.tensorInfos.values { dtypes[info.dtype, default: 0] += 1 }
        let container: String
        switch archive {
        case is TorchZipCheckpoint: container = "torch zip checkpoint (pickle read without executing)"
        case is ShardedSafeTensors: container = "sharded safetensors"
        default: container = "safetensors"
        }
        var info = ModelInfo(path: path, detected: detected, container: container, dtypes: dtypes,
                             hashes: computeHashes ? try ModelHashes.compute(path: path) : nil)
        if detected.kind == .lora {
            let lora = try LoRAFile(archive: archive)
            for m in lora.modules { info.loraScales[m.storedName] = try lora.scale(m) }
        }
        return info
    }

    init(path: String, detected: DetectedModel, container: String, dtypes: [TensorDType: Int], hashes: ModelHashes?) {
        self.path = path
        self.detected = detected
        self.container = container
        self.dtypes = dtypes
        self.hashes = hashes
        var perComponent: [String: Int] = [:]
        for (name, source) in detected.components {
            perComponent[name] = source.mapping.shapes.values.reduce(0) { $0 + $1.reduce(1, *) }
        }
        if detected.kind == .lora {
            perComponent["lora"] = detected.loraModules.reduce(0) { sum, m in sum + m.factorShapes.values.reduce(0) { $0 + $1.reduce(1, *) } }
        }
        componentParameters = perComponent
        parameterCount = perComponent.values.reduce(0, +)
    }

    /// The report, one "Label: value" line per fact.
    public var description: String {
        var lines: [(String, String)] = [
            ("File", path),
            ("Kind", detected.kind.rawValue),
            ("Layout", container == "folder" ? detected.layout : "\(detected.layout); \(container)"),
            ("Dtypes", dtypes.sorted { $0.value > $1.value }.map { "\($0.key.rawValue) ×\($0.value)" }.joined(separator: ", ")),
        ]
        var params = Self.grouped(parameterCount)
        if componentParameters.count > 1 {
            let order = ["unet", "controlnet", "vae", "text_encoder", "esrgan", "lora"]
            let parts = componentParameters.sorted { (order.firstIndex(of: $0.key) ?? 99) < (order.firstIndex(of: $1.key) ?? 99) }
                .map { "\(Self.label($0.key)) \(Self.grouped($0.value))" }
            params += " (\(parts.joined(separator: ", ")))"
        }
        lines.append(("Parameters", params))
        if !detected.ignored.isEmpty {
            lines.append(("Not loaded", "\(detected.ignored.count) tensors (schedule buffers, position_ids, EMA or training state), e.g. \(NameList.firstFew(detected.ignored))"))
        }
        if let u = detected.unet {
            let attn = u.attentionLevels.enumerated().filter(\.element).map { String($0.offset) }.joined(separator: ",")
            lines.append(("UNet", "in \(u.inChannels)\(u.isInpainting ? " (inpainting)" : ""), out \(u.outChannels), blocks \(u.blockOutChannels.map(String.init).joined(separator: "/")), \(u.layersPerBlock) layers per block, cross-attention on levels \(attn), transformer depth \(u.transformerDepth), cross-attention dim \(u.crossAttentionDim), time embedding \(u.timeEmbedDim), \(u.useLinearProjection ? "linear" : "1×1 conv") projections; heads not stored in weights (SD1.x: 8)"))
        }
        if let c = detected.controlNet {
            lines.append(("ControlNet", "hint channels \(c.conditioningChannels), hint encoder \(c.conditioningEmbeddingChannels.map(String.init).joined(separator: "/")), \(c.expectedShapes().keys.filter { $0.hasPrefix("controlnet_down_blocks.") && $0.hasSuffix(".weight") }.count) zero convs + mid"))
        }
        if let v = detected.vae {
            lines.append(("VAE", "blocks \(v.blockOutChannels.map(String.init).joined(separator: "/")), \(v.layersPerBlock) layers per block, latent channels \(v.latentChannels), image channels \(v.inChannels)→\(v.outChannels)"))
        }
        if let t = detected.textEncoder {
            lines.append(("Text encoder", "hidden \(t.hiddenSize), \(t.layers) layers, MLP \(t.intermediateSize), vocabulary \(t.vocabularySize), \(t.maxPositions) positions; heads not stored in weights (SD1.x: 12)"))
        }
        if let e = detected.esrgan {
            lines.append(("ESRGAN", "scale ×\(e.scale), num_feat \(e.numFeat), num_block \(e.numBlock), num_grow_ch \(e.numGrowCh), channels \(e.inChannels)→\(e.outChannels)"))
        }
        if detected.kind == .lora {
            let m = detected.loraModules
            let kinds = Dictionary(grouping: m, by: \.kind).sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) ×\($0.value.count)" }
            let ranks = Set(m.map(\.rank)).sorted().map(String.init).joined(separator: "/")
            let alphas = Set(m.compactMap { module in module.alphaName == nil ? nil : loraScales[module.storedName].map { $0 * Float(module.rank) } }).sorted().map { String(format: "%g", $0) }
            lines.append(("LoRA", "\(m.count) module\(m.count == 1 ? "" : "s") (\(kinds.joined(separator: ", "))), UNet \(m.filter { $0.component == .unet }.count), text encoder \(m.filter { $0.component == .textEncoder }.count), rank \(ranks), alpha \(alphas.isEmpty ? "none (= rank)" : alphas.joined(separator: "/"))"))
        }
        if let h = hashes {
            lines.append(("SHA-256", h.sha256))
            if detected.kind == .lora {
                lines.append(("Hashes", "Lora hash \(h.loraShortHash) (\(h.addnet != nil ? "addnet: data after the header" : "whole file")), AutoV2 \(h.autoV2), legacy \(h.legacy)"))
            } else {
                lines.append(("Hashes", "AutoV2 \(h.autoV2), legacy \(h.legacy)\(h.addnet.map { ", addnet \($0.prefix(12))" } ?? "")"))
            }
        }
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0 + ":" + String(repeating: " ", count: width - $0.0.count + 1) + $0.1 }.joined(separator: "\n")
    }

    static func label(_ component: String) -> String {
        ["unet": "UNet", "vae": "VAE", "text_encoder": "text encoder", "controlnet": "ControlNet", "esrgan": "ESRGAN", "lora": "LoRA"][component] ?? component
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ n: Int) -> String {
        var s = String(n)
        var i = s.count - 3
        while i > 0 {
            s.insert(",", at: s.index(s.startIndex, offsetBy: i))
            i -= 3
        }
        return s
    }
}
