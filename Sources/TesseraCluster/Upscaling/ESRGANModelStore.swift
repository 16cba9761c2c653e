import Foundation
import Synchronization
import TesseraCheckpoint
import TesseraModels
import TesseraPipelines

/// The ESRGAN-family models a worker has: found by name in the models folder (A1111
/// `models/ESRGAN`, `models/RealESRGAN`, ComfyUI `models/upscale_models`) or by path, loaded once
/// and kept for later tiles and jobs.
public final class ESRGANModelStore: Sendable {
    /// Where names are looked up; nil = paths only.
    public let library: ModelLibrary?
    /// Paths given up front (advertised as they were given).
    public let preloaded: [String]
    private let networks = Mutex<[String: RRDBNet]>([:])

    /// `preload`: model paths or names loaded now, so a bad file fails at start-up.
    public init(library: ModelLibrary?, preload: [String] = []) throws {
        self.library = library
        preloaded = preload
        for model in preload { _ = try network(named: model) }
    }

    /// Names this store can serve, lower-cased as job specs carry upscaler names: the file stems
    /// in the models folder plus the preloaded names.
    public var modelNames: [String] {
        var names = preloaded.map { ModelLibrary.modelName(ofFile: $0).lowercased() }
        for path in files() {
            names.append(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent.lowercased())
        }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// True when `name` is a path to a file or a model in the models folder.
    public func has(_ name: String) -> Bool { (try? resolve(name)) != nil }

    /// The network of `name` (a path, or a file stem in the models folder, case-insensitive),
    /// loading it on first use. A missing or unreadable model is a fatal tile error naming it.
    public func network(named name: String) throws -> RRDBNet {
        let path = try resolve(name)
        return try networks.withLock { cache in
            if let cached = cache[path] { return cached }
            let network: RRDBNet
            do { network = try RRDBNet(source: ESRGANCheckpoint(path: path).weights) } catch {
                throw TileRenderError.invalidParameters("upscaler \"\(name)\" (\(path)) cannot be loaded as an ESRGAN model: \(error)")
            }
            cache[path] = network
            return network
        }
    }

    /// The file of `name`.
    public func resolve(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        let fm = FileManager.default
        if trimmed.contains("/") {
            guard fm.fileExists(atPath: trimmed) else { throw TileRenderError.modelNotFound("upscaler \"\(name)\": no such file") }
            return URL(fileURLWithPath: trimmed).standardizedFileURL.path
        }
        if let preloadedPath = preloaded.first(where: {
            $0.contains("/") && ModelLibrary.modelName(ofFile: $0).lowercased() == trimmed.lowercased()
        }) {
            return URL(fileURLWithPath: preloadedPath).standardizedFileURL.path
        }
        guard let library else {
            throw TileRenderError.modelNotFound(
                "upscaler \"\(name)\": not a classical filter, and no models folder (--models-dir) to look an ESRGAN model up in")
        }
        // Job specs carry lower-cased upscaler names, so the stem match ignores case.
        let wanted = trimmed.lowercased()
        if let path = files().first(where: { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent.lowercased() == wanted }) {
            return URL(fileURLWithPath: path).standardizedFileURL.path
        }
        let searched = library.candidateFolders(for: .upscaler).joined(separator: ", ")
        throw TileRenderError.modelNotFound("upscaler \"\(name)\": no ESRGAN model of that name; searched \(searched)")
    }

    /// Model files in the upscaler folders, sorted, so every worker picks the same one for a name.
    private func files() -> [String] {
        guard let library else { return [] }
        var found: [String] = library.files[.upscaler] ?? []
        for folder in library.folders(for: .upscaler) {
            guard let walker = FileManager.default.enumerator(atPath: folder) else { continue }
            while let relative = walker.nextObject() as? String {
                let url = URL(fileURLWithPath: folder).appendingPathComponent(relative)
                if ModelLibrary.modelExtensions.contains(url.pathExtension.lowercased()) { found.append(url.path) }
            }
        }
        // Preferred extension first (safetensors before pickles), then the shortest path.
        return found.sorted { a, b in
            let ra = ModelLibrary.modelExtensions.firstIndex(of: URL(fileURLWithPath: a).pathExtension.lowercased()) ?? 0
            let rb = ModelLibrary.modelExtensions.firstIndex(of: URL(fileURLWithPath: b).pathExtension.lowercased()) ?? 0
            return ra != rb ? ra < rb : (a.count, a) < (b.count, b)
        }
    }
}
