import TesseraTensor

extension ParameterStore {
    /// Adds `multiplier · patch.delta` to each patch's target weight.
    ///
    /// Originals are kept (once per weight), so `restoreOriginals()` un-merges exactly and the same
    /// loaded model can serve the next job with other LoRAs. Targets are looked up as given and
    /// with a `text_model.` prefix (kohya text-encoder names omit it). A target the model does not
    /// have is an error naming it; nothing is changed then.
    public func merge(_ patches: [LoRAPatch], multiplier: Float) throws {
        var resolved: [(String, LoRAPatch)] = []
        for patch in patches {
            guard let name = [patch.target + ".weight", "text_model." + patch.target + ".weight"].first(where: contains) else {
                throw ModelError(origin, "LoRA target '\(patch.target)' is not a module of this model")
            }
            resolved.append((name, patch))
        }
        // Compute every delta first, so a bad patch leaves the weights untouched.
        let deltas = try resolved.map { name, patch in (name, try patch.delta(targetShape: self[name].shape)) }
        for (name, delta) in deltas {
            try modify(name) { current in
                var updated = current
                updated.add(delta, scale: multiplier)
                return updated
            }
        }
    }
}
