import Foundation

/// The model folders of an A1111 or ComfyUI installation, searched by file stem.
///
/// A1111 keeps `models/Stable-diffusion`, `models/Lora`, `models/ControlNet`, `models/ESRGAN`,
/// `models/VAE`; ComfyUI keeps `checkpoints`, `loras`, `controlnet`, `upscale_models`, `vae`.
/// `--models-dir` may point at the installation root or at its `models` folder, so both
/// `<dir>/models/<kind>` and `<dir>/<kind>` are searched.
public struct ModelLibrary: Sendable, Equatable {
    /// A kind of model file and the folder names each UI stores it under.
    public enum Kind: String, Sendable, CaseIterable {
        case checkpoint, lora, controlNet, upscaler, vae

        /// Folder names, A1111's first.
        public var folderNames: [String] {
            switch self {
            case .checkpoint: return ["Stable-diffusion", "checkpoints"]
            case .lora: return ["Lora", "LyCORIS", "loras"]
            case .controlNet: return ["ControlNet", "controlnet"]
            case .upscaler: return ["ESRGAN", "RealESRGAN", "upscale_models"]
            case .vae: return ["VAE", "vae"]
            }
        }

        var label: String {
            switch self {
            case .checkpoint: return "checkpoint"
            case .lora: return "LoRA"
            case .controlNet: return "ControlNet model"
            case .upscaler: return "upscaler"
            case .vae: return "VAE"
            }
        }
    }

    /// File extensions a model may have, preferred first.
    public static let modelExtensions = ["safetensors", "ckpt", "pt", "pth", "bin"]

    /// The installation root or models folder; nil when only `files` are known.
    public let root: String?
    /// Model files named one by one (e.g. `tessera worker --model FILE`), by kind; found by their
    /// stem before the folders are searched.
    public let files: [Kind: [String]]

    public init(root: String) {
        self.root = root
        files = [:]
    }

    /// A library of a models folder (optional) plus single files of known kinds.
    public init(root: String?, files: [Kind: [String]]) {
        self.root = root
        self.files = files
    }

    /// Existing folders that may hold models of `kind`.
    public func folders(for kind: Kind) -> [String] {
        candidateFolders(for: kind).filter { isDirectory($0) }
    }

    /// Every folder searched for `kind`, existing or not (for error messages).
    public func candidateFolders(for kind: Kind) -> [String] {
        guard let root else { return [] }
        let base = URL(fileURLWithPath: root)
        return kind.folderNames.flatMap { name in
            [base.appendingPathComponent("models").appendingPathComponent(name).path, base.appendingPathComponent(name).path]
        }
    }

    /// The path of the model named `name` (a file stem, a file name, or an A1111 title such as
    /// `name [hash]`); a diffusers folder of that name counts for checkpoints and ControlNets.
    /// Subfolders are searched too, as A1111 does. Throws naming every folder searched.
    public func resolve(_ kind: Kind, named name: String) throws -> String {
        var wanted = name.trimmingCharacters(in: .whitespaces)
        // A1111 titles carry a short hash: "control_v11f1e_sd15_tile [a371b31b]".
        if let bracket = wanted.range(of: " ["), wanted.hasSuffix("]") { wanted = String(wanted[..<bracket.lowerBound]) }
        if wanted.isEmpty { throw PipelineError(kind.label, "empty model name") }
        if FileManager.default.fileExists(atPath: wanted), wanted.contains("/") { return wanted }
        if let file = (files[kind] ?? []).first(where: { Self.modelName(ofFile: $0) == wanted }) { return file }
        for folder in folders(for: kind) {
            if let found = search(folder, for: wanted, allowFolders: kind == .checkpoint || kind == .controlNet) { return found }
        }
        let given = (files[kind] ?? []).map { "model file \($0)" }
        guard root != nil else {
            let also = given.isEmpty ? "" : " (not among \(given.joined(separator: ", ")))"
            throw PipelineError(kind.label, "'\(wanted)' not found\(also); give a path, or --models-dir with the folder that holds it")
        }
        let searched = (candidateFolders(for: kind) + given).joined(separator: ", ")
        throw PipelineError(kind.label, "'\(wanted)' not found; searched \(searched) for \(Self.modelExtensions.map { "*." + $0 }.joined(separator: "/"))")
    }

    private func search(_ folder: String, for stem: String, allowFolders: Bool) -> String? {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return nil }
        var matches: [String] = []
        while let relative = walker.nextObject() as? String {
            let url = URL(fileURLWithPath: folder).appendingPathComponent(relative)
            let fileName = url.lastPathComponent
            let ext = url.pathExtension.lowercased()
            let path = url.path
            if isDirectory(path) {
                if allowFolders, fileName == stem, FileManager.default.fileExists(atPath: url.appendingPathComponent("unet").path)
                    || FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) {
                    matches.append(path)
                }
                continue
            }
            if fileName == stem || (Self.modelExtensions.contains(ext) && url.deletingPathExtension().lastPathComponent == stem) {
                matches.append(path)
            }
        }
        // Deterministic choice: preferred extension, then shortest path.
        return matches.min { a, b in
            let ra = Self.modelExtensions.firstIndex(of: URL(fileURLWithPath: a).pathExtension.lowercased()) ?? -1
            let rb = Self.modelExtensions.firstIndex(of: URL(fileURLWithPath: b).pathExtension.lowercased()) ?? -1
            return ra != rb ? ra < rb : (a.count, a) < (b.count, b)
        }
    }

    /// The name A1111 gives a model file or diffusers folder: its file stem.
    public static func modelName(ofFile path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return modelExtensions.contains(url.pathExtension.lowercased()) ? url.deletingPathExtension().lastPathComponent : url.lastPathComponent
    }

    private func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
