import Foundation

extension ModelLibrary {
    /// Every model of `kind` in the library, as A1111 names them (file stems; diffusers folders
    /// by folder name for checkpoints and ControlNets), sorted and without duplicates. Subfolders
    /// are searched as `resolve` searches them, so every listed name resolves.
    public func modelNames(of kind: Kind) -> [String] {
        var names = Set((files[kind] ?? []).map(Self.modelName(ofFile:)))
        let fm = FileManager.default
        for folder in folders(for: kind) {
            guard let walker = fm.enumerator(atPath: folder) else { continue }
            while let relative = walker.nextObject() as? String {
                let url = URL(fileURLWithPath: folder).appendingPathComponent(relative)
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    let diffusers = fm.fileExists(atPath: url.appendingPathComponent("unet").path)
                        || fm.fileExists(atPath: url.appendingPathComponent("config.json").path)
                    if diffusers && (kind == .checkpoint || kind == .controlNet) {
                        names.insert(url.lastPathComponent)
                        // A diffusers folder's own files are parts of one model, not models.
                        walker.skipDescendants()
                    }
                    continue
                }
                if Self.modelExtensions.contains(url.pathExtension.lowercased()) {
                    names.insert(url.deletingPathExtension().lastPathComponent)
                }
            }
        }
        return names.sorted()
    }
}
