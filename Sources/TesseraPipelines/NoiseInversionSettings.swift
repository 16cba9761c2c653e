/// Tiled Diffusion's "Noise Inversion" options (img2img only, sampler Euler), with the extension's names, ranges and
/// defaults (spec §7.1, §7.4): the img2img start noise is recovered from the init image by running Euler backwards,
/// then fresh noise is blended back in where the renoise mask asks for it.
public struct NoiseInversionSettings: Sendable, Equatable, Codable {
    /// "Inversion steps" (1…200, default 10).
    public var steps: Int
    /// "Retouch" (1…100, default 1): the inversion evaluates the UNet at timestep t(σ)/retouch.
    public var retouch: Double
    /// "Renoise strength" (0…2, default 1); 0 uses the inverted noise alone.
    public var renoiseStrength: Double
    /// "Renoise kernel size" (2…512, default 64): the box filter of the retouch mask, in image pixels.
    public var renoiseKernelSize: Int

    public init(steps: Int = 10, retouch: Double = 1, renoiseStrength: Double = 1, renoiseKernelSize: Int = 64) {
        self.steps = steps
        self.retouch = retouch
        self.renoiseStrength = renoiseStrength
        self.renoiseKernelSize = renoiseKernelSize
    }

    /// Checks the extension's slider ranges; each error names the field.
    public func validate() throws {
        guard (1...200).contains(steps) else {
            throw PipelineError("noise inversion steps", "must be in 1...200, got \(steps)")
        }
        guard retouch >= 1, retouch <= 100 else {
            throw PipelineError("noise inversion retouch", "must be in 1...100, got \(retouch)")
        }
        guard renoiseStrength >= 0, renoiseStrength <= 2 else {
            throw PipelineError("renoise strength", "must be in 0...2, got \(renoiseStrength)")
        }
        guard (2...512).contains(renoiseKernelSize) else {
            throw PipelineError("renoise kernel size", "must be in 2...512, got \(renoiseKernelSize)")
        }
    }

    /// The entries appended to the `Tiled Diffusion` infotext value (`TiledDiffusionSettings.infotextValue`).
    var infotextEntries: String {
        "noise inversion steps: \(steps), retouch: \(PythonNumber.format(retouch)), "
            + "renoise strength: \(PythonNumber.format(renoiseStrength)), renoise kernel: \(renoiseKernelSize)"
    }

    /// Reads the entries back from a parsed `Tiled Diffusion` value; nil when noise inversion was off (no
    /// `noise inversion steps` entry). `fail` builds the error naming the infotext field.
    static func parse(_ entries: [String: String], fail: (String) -> PipelineError) throws -> NoiseInversionSettings? {
        guard let stepsText = entries["noise inversion steps"] else { return nil }
        func number(_ key: String) throws -> Double {
            guard let text = entries[key] else { throw fail("'\(key)' is missing") }
            guard let value = Double(text) else { throw fail("'\(key)' value '\(text)' is not a number") }
            return value
        }
        guard let steps = Int(stepsText) else { throw fail("'noise inversion steps' value '\(stepsText)' is not an integer") }
        let kernel = try number("renoise kernel")
        guard kernel == kernel.rounded() else { throw fail("'renoise kernel' value '\(kernel)' is not an integer") }
        return NoiseInversionSettings(steps: steps, retouch: try number("retouch"),
                                      renoiseStrength: try number("renoise strength"), renoiseKernelSize: Int(kernel))
    }
}
