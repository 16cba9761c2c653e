import TesseraPipelines

/// `--controlnet tile` / `controlnet_tile.model = "tile"`: "the Tile ControlNet", whichever file holds it.
///
/// It is replaced by one concrete model name before the job is split (from the models folder in one process, from
/// the connected workers' models on the coordinator), so every tile of a job uses the same model.
public enum TileControlNetShorthand {
    public static let name = "tile"
    /// ControlNet 1.1's tile models by their released names, preferred in this order.
    static let releasedNames = ["control_v11f1e_sd15_tile", "control_v11u_sd15_tile", "control_sd15_tile"]

    /// The model `tile` stands for among `available` ControlNet names: a released tile model, else the first
    /// (in sorted order) whose name contains "tile". Throws naming what was found when there is none.
    public static func choose(from available: [String]) throws -> String {
        let names = Set(available)
        if let released = releasedNames.first(where: names.contains) { return released }
        if let named = names.sorted().first(where: { $0.lowercased().contains("tile") }) { return named }
        let found = names.isEmpty ? "no ControlNet models" : "only \(names.sorted().joined(separator: ", "))"
        throw ClusterError.invalidParameter(
            field: "controlnet_tile.model",
            reason: "\"tile\" stands for a Tile ControlNet (e.g. control_v11f1e_sd15_tile), but there are \(found); give the model's name or path")
    }

    /// `spec` with a `tile` shorthand replaced by the chosen model; unchanged otherwise.
    public static func resolve(_ spec: UpscaleJobSpec, available: [String]) throws -> UpscaleJobSpec {
        guard var diffusion = spec.diffusion, var unit = diffusion.controlNetTile, unit.model == name else { return spec }
        unit.model = try choose(from: available)
        diffusion.controlNetTile = unit
        var resolved = spec
        resolved.diffusion = diffusion
        return resolved
    }
}
