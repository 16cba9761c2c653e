/// Group normalisation (PyTorch `GroupNorm`) of `[N, C, ...]` with per-channel affine `weight`,
/// `bias`, optionally followed by SiLU in the same pass (the ResNet blocks always do both).
///
/// Statistics are accumulated in Double: a plane of a 512×512 VAE activation has 262k elements
/// per channel and a Float running sum would lose the mean's low digits.
public func groupNorm(_ input: Tensor, groups: Int, weight: Tensor, bias: Tensor, eps: Float, silu: Bool = false) -> Tensor {
    precondition(input.rank >= 2, "groupNorm wants [N, C, ...], got \(input.shape)")
    let n = input.shape[0], c = input.shape[1]
    precondition(c % groups == 0, "groupNorm: \(c) channels do not split into \(groups) groups")
    precondition(weight.count == c && bias.count == c, "groupNorm affine parameters must have \(c) elements")
    let plane = input.count / max(1, n * c)
    let perGroup = c / groups
    let groupSize = perGroup * plane
    return Tensor(shape: input.shape) { out in
        input.data.withUnsafeBufferPointer { x in
            Parallel.forEach(n * groups) { ng in
                let base = ng * groupSize
                let src = x.baseAddress! + base
                var sum = 0.0
                for i in 0..<groupSize { sum += Double(src[i]) }
                let mean = sum / Double(groupSize)
                var squares = 0.0
                for i in 0..<groupSize { let d = Double(src[i]) - mean; squares += d * d }
                let inverse = Float(1 / (squares / Double(groupSize) + Double(eps)).squareRoot())
                let meanF = Float(mean)
                let g = ng % groups
                for cc in 0..<perGroup {
                    let ch = g * perGroup + cc
                    let scale = weight.data[ch] * inverse
                    let shift = bias.data[ch] - meanF * scale
                    let s = src + cc * plane
                    let d = out.baseAddress! + base + cc * plane
                    for i in 0..<plane { d[i] = s[i] * scale + shift }
                    if silu { VectorMath.silu(d, count: plane) }
                }
            }
        }
    }
}

/// Layer normalisation (PyTorch `LayerNorm`) over the last dimension with affine `weight`, `bias`.
public func layerNorm(_ input: Tensor, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
    let d = input.shape.last!
    precondition(weight.count == d && bias.count == d, "layerNorm affine parameters must have \(d) elements")
    let rows = input.count / max(1, d)
    return Tensor(shape: input.shape) { out in
        input.data.withUnsafeBufferPointer { x in
            weight.data.withUnsafeBufferPointer { w in
                bias.data.withUnsafeBufferPointer { b in
                    Parallel.forEach(rows, minimumChunk: 16) { r in
                        let src = x.baseAddress! + r * d
                        var sum = 0.0
                        for i in 0..<d { sum += Double(src[i]) }
                        let mean = sum / Double(d)
                        var squares = 0.0
                        for i in 0..<d { let t = Double(src[i]) - mean; squares += t * t }
                        let inverse = Float(1 / (squares / Double(d) + Double(eps)).squareRoot())
                        let meanF = Float(mean)
                        let dst = out.baseAddress! + r * d
                        for i in 0..<d { dst[i] = (src[i] - meanF) * inverse * w[i] + b[i] }
                    }
                }
            }
        }
    }
}
