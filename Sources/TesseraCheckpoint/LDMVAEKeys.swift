/// Original LDM `AutoencoderKL` names (`first_stage_model.*`) → diffusers `AutoencoderKL` names.
///
/// Two differences are more than renames: the decoder's `up.N` is numbered from the lowest
/// resolution in diffusers (`up_blocks.{levels-1-N}`), and the mid-block attention's q/k/v and
/// output projection are 1×1 convs in LDM but linears in diffusers ([C,C,1,1] → [C,C]).
public enum LDMVAEKeys {
    /// Maps every name under `prefix` (e.g. `first_stage_model.`).
    public static func mapping(shapes: [String: [Int]], prefix: String) -> (KeyMapping, unplaced: [String]) {
        let local = LDMUNetKeys.stripped(shapes, prefix: prefix)
        var levels = 0
        for name in local.keys {
            if let rest = name.dropPrefix("decoder.up."), let (n, _) = LDMUNetKeys.index(rest) { levels = max(levels, n + 1) }
        }
        var mapping = KeyMapping()
        var unplaced: [String] = []
        for (name, shape) in local {
            if let (canonical, transform) = canonicalName(name, decoderLevels: levels) {
                mapping.add(canonical, from: prefix + name, shape: shape, transform: transform)
            } else {
                unplaced.append(prefix + name)
            }
        }
        return (mapping, unplaced.sorted())
    }

    static func canonicalName(_ name: String, decoderLevels: Int) -> (String, KeyMapping.Transform)? {
        for conv in ["quant_conv.", "post_quant_conv."] {
            if let t = name.dropPrefix(conv), LDMUNetKeys.isParameter(t) { return (conv + t, .identity) }
        }
        for half in ["encoder.", "decoder."] {
            guard let rest = name.dropPrefix(half) else { continue }
            return coder(rest, half: half, decoderLevels: decoderLevels)
        }
        return nil
    }

    static func coder(_ rest: String, half: String, decoderLevels: Int) -> (String, KeyMapping.Transform)? {
        for (from, to) in [("conv_in.", "conv_in."), ("conv_out.", "conv_out."), ("norm_out.", "conv_norm_out.")] {
            if let t = rest.dropPrefix(from), LDMUNetKeys.isParameter(t) { return (half + to + t, .identity) }
        }
        if let mid = rest.dropPrefix("mid.") {
            if let t = mid.dropPrefix("block_1."), let r = resnet(t) { return (half + "mid_block.resnets.0." + r, .identity) }
            if let t = mid.dropPrefix("block_2."), let r = resnet(t) { return (half + "mid_block.resnets.1." + r, .identity) }
            if let t = mid.dropPrefix("attn_1.") { return attention(t).map { (half + "mid_block.attentions.0." + $0.0, $0.1) } }
            return nil
        }
        let isEncoder = half == "encoder."
        guard let levelPart = rest.dropPrefix(isEncoder ? "down." : "up."), let (n, tail) = LDMUNetKeys.index(levelPart) else { return nil }
        let level = isEncoder ? n : decoderLevels - 1 - n
        let block = isEncoder ? "down_blocks" : "up_blocks"
        if let t = tail.dropPrefix("block."), let (j, r) = LDMUNetKeys.index(t), let res = resnet(r) {
            return (half + "\(block).\(level).resnets.\(j).\(res)", .identity)
        }
        let sampler = isEncoder ? ("downsample.conv.", "downsamplers.0.conv.") : ("upsample.conv.", "upsamplers.0.conv.")
        if let t = tail.dropPrefix(sampler.0), LDMUNetKeys.isParameter(t) {
            return (half + "\(block).\(level).\(sampler.1)\(t)", .identity)
        }
        return nil
    }

    /// VAE `ResnetBlock` members: same names in diffusers except the 1×1 shortcut.
    static func resnet(_ tail: String) -> String? {
        for (from, to) in [("norm1.", "norm1."), ("conv1.", "conv1."), ("norm2.", "norm2."), ("conv2.", "conv2."), ("nin_shortcut.", "conv_shortcut.")] {
            if let t = tail.dropPrefix(from), LDMUNetKeys.isParameter(t) { return to + t }
        }
        return nil
    }

    static func attention(_ tail: String) -> (String, KeyMapping.Transform)? {
        if let t = tail.dropPrefix("norm."), LDMUNetKeys.isParameter(t) { return ("group_norm." + t, .identity) }
        for (from, to) in [("q.", "to_q."), ("k.", "to_k."), ("v.", "to_v."), ("proj_out.", "to_out.0.")] {
            if let t = tail.dropPrefix(from), LDMUNetKeys.isParameter(t) { return (to + t, t == "weight" ? .squeezeConv1x1 : .identity) }
        }
        return nil
    }
}
