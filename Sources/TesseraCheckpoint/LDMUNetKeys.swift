/// Original LDM (CompVis `openaimodel.UNetModel`) UNet names → diffusers `UNet2DConditionModel`
/// names. The same numbering is used by the ControlNet encoder copy, so `ControlNetKeys` reuses
/// the input/middle part.
///
/// LDM numbers blocks flat (`input_blocks.4.0`, `output_blocks.5.2`); diffusers nests them per
/// resolution level (`down_blocks.1.resnets.0`, `up_blocks.1.upsamplers.0`). The level size is
/// `layers_per_block + 1` on both paths, inferred from where the first downsampler sits.
public enum LDMUNetKeys {
    /// Maps every name under `prefix` (e.g. `model.diffusion_model.`) of `shapes`.
    /// Names under the prefix that do not fit the layout are returned in `unplaced`.
    public static func mapping(shapes: [String: [Int]], prefix: String) -> (KeyMapping, unplaced: [String]) {
        let local = stripped(shapes, prefix: prefix)
        let perLevel = layersPerBlock(localNames: local.keys) + 1
        var mapping = KeyMapping()
        var unplaced: [String] = []
        for (name, shape) in local {
            if let canonical = canonicalName(name, perLevel: perLevel) {
                mapping.add(canonical, from: prefix + name, shape: shape)
            } else {
                unplaced.append(prefix + name)
            }
        }
        return (mapping, unplaced.sorted())
    }

    /// `layers_per_block` of an LDM UNet/ControlNet from its local (prefix-stripped) names: the
    /// first downsampler is `input_blocks.{layers_per_block + 1}.0.op`.
    static func layersPerBlock<S: Sequence>(localNames: S) -> Int where S.Element == String {
        var firstOp = Int.max
        var maxInput = 0
        for name in localNames {
            let parts = name.split(separator: ".")
            guard parts.count >= 3, parts[0] == "input_blocks", let i = Int(parts[1]) else { continue }
            maxInput = max(maxInput, i)
            if parts[2] == "0", parts.count >= 4, parts[3] == "op" { firstOp = min(firstOp, i) }
        }
        // Without any downsampler there is a single level holding every input block after conv_in.
        return firstOp == Int.max ? max(maxInput, 1) : firstOp - 1
    }

    /// The diffusers name of one local LDM name, or nil if it is not part of the layout.
    static func canonicalName(_ name: String, perLevel: Int) -> String? {
        if let rest = name.dropPrefix("time_embed.0.") { return "time_embedding.linear_1." + rest }
        if let rest = name.dropPrefix("time_embed.2.") { return "time_embedding.linear_2." + rest }
        if let rest = name.dropPrefix("input_blocks.0.0.") { return "conv_in." + rest }
        if let rest = name.dropPrefix("out.0.") { return "conv_norm_out." + rest }
        if let rest = name.dropPrefix("out.2.") { return "conv_out." + rest }
        if let rest = name.dropPrefix("input_blocks.") { return inputBlock(rest, perLevel: perLevel) }
        if let rest = name.dropPrefix("middle_block.") { return middleBlock(rest) }
        if let rest = name.dropPrefix("output_blocks.") { return outputBlock(rest, perLevel: perLevel) }
        return nil
    }

    /// `input_blocks.{i}.{s}.rest` for i ≥ 1.
    static func inputBlock(_ rest: String, perLevel: Int) -> String? {
        guard let (i, s, tail) = indexPair(rest), i >= 1 else { return nil }
        let level = (i - 1) / perLevel
        let layer = (i - 1) % perLevel
        if layer == perLevel - 1 {
            guard s == 0, let t = tail.dropPrefix("op.") else { return nil }
            return "down_blocks.\(level).downsamplers.0.conv.\(t)"
        }
        switch s {
        case 0: return resnet(tail).map { "down_blocks.\(level).resnets.\(layer).\($0)" }
        case 1: return attention(tail).map { "down_blocks.\(level).attentions.\(layer).\($0)" }
        default: return nil
        }
    }

    /// `middle_block.{0,1,2}.rest`: resnet, attention, resnet.
    static func middleBlock(_ rest: String) -> String? {
        guard let (s, tail) = index(rest) else { return nil }
        switch s {
        case 0: return resnet(tail).map { "mid_block.resnets.0.\($0)" }
        case 1: return attention(tail).map { "mid_block.attentions.0.\($0)" }
        case 2: return resnet(tail).map { "mid_block.resnets.1.\($0)" }
        default: return nil
        }
    }

    /// `output_blocks.{i}.{s}.rest`: resnet at 0, then attention and/or upsampler (`.conv`).
    static func outputBlock(_ rest: String, perLevel: Int) -> String? {
        guard let (i, s, tail) = indexPair(rest) else { return nil }
        let level = i / perLevel
        let layer = i % perLevel
        if s == 0 { return resnet(tail).map { "up_blocks.\(level).resnets.\(layer).\($0)" } }
        if let t = tail.dropPrefix("conv."), s == 1 || s == 2 {
            return "up_blocks.\(level).upsamplers.0.conv.\(t)"
        }
        if s == 1 { return attention(tail).map { "up_blocks.\(level).attentions.\(layer).\($0)" } }
        return nil
    }

    /// LDM `ResBlock` member → diffusers `ResnetBlock2D` member.
    static func resnet(_ tail: String) -> String? {
        let renames = [
            ("in_layers.0.", "norm1."), ("in_layers.2.", "conv1."), ("emb_layers.1.", "time_emb_proj."),
            ("out_layers.0.", "norm2."), ("out_layers.3.", "conv2."), ("skip_connection.", "conv_shortcut."),
        ]
        for (from, to) in renames {
            if let t = tail.dropPrefix(from), isParameter(t) { return to + t }
        }
        return nil
    }

    /// `SpatialTransformer` members keep their names in diffusers' `Transformer2DModel`.
    static func attention(_ tail: String) -> String? {
        let first = tail.prefix { $0 != "." }
        let known: Set<Substring> = ["norm", "proj_in", "proj_out", "transformer_blocks"]
        return known.contains(first) ? tail : nil
    }

    static func isParameter(_ t: String) -> Bool { t == "weight" || t == "bias" }

    /// "4.1.rest" → (4, 1, "rest").
    static func indexPair(_ s: String) -> (Int, Int, String)? {
        guard let (a, r1) = index(s), let (b, r2) = index(r1) else { return nil }
        return (a, b, r2)
    }

    /// "4.rest" → (4, "rest").
    static func index(_ s: String) -> (Int, String)? {
        guard let dot = s.firstIndex(of: "."), let n = Int(s[..<dot]) else { return nil }
        return (n, String(s[s.index(after: dot)...]))
    }

    static func stripped(_ shapes: [String: [Int]], prefix: String) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        for (k, v) in shapes where k.hasPrefix(prefix) { out[String(k.dropFirst(prefix.count))] = v }
        return out
    }
}

extension String {
    /// The rest of the string after `prefix`, or nil if it does not start with it.
    func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
