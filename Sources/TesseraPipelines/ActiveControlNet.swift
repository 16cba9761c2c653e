import TesseraModels
import TesseraTensor

/// A ControlNet unit ready for sampling: its settings, loaded model and hint `[1, 3, H, W]` in [0, 1].
public struct ActiveControlNet: Sendable {
    public let unit: ControlNetUnit
    public let model: ControlNet
    public let hint: Tensor
    /// The tile_colorfix post-process, for those preprocessors.
    public let colorFix: TileColorFix?

    public init(unit: ControlNetUnit, model: ControlNet, hint: Tensor, colorFix: TileColorFix? = nil) {
        self.unit = unit
        self.model = model
        self.hint = hint
        self.colorFix = colorFix
    }

    /// The per-residual scales of the unit's control mode and weight.
    var scales: [Float] {
        model.residualScales(mode: unit.controlMode.usesSoftInjection ? .softInjection : .balanced, conditioningScale: unit.weight)
    }
}
