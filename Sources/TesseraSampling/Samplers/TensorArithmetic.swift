import TesseraTensor

// The few element-wise operations the samplers need, in float32 and in the operand order
// k-diffusion uses, so trajectories round like the reference.
extension Tensor {
    func scaledCopy(by factor: Float) -> Tensor {
        var out = self
        out.data.withUnsafeMutableBufferPointer { o in
            for i in 0..<o.count { o[i] *= factor }
        }
        return out
    }

    /// `a·p + b·q`, element-wise.
    static func weightedSum(_ p: Tensor, _ a: Float, _ q: Tensor, _ b: Float) -> Tensor {
        precondition(p.shape == q.shape, "shape \(p.shape) vs \(q.shape)")
        var out = p
        out.data.withUnsafeMutableBufferPointer { o in
            q.data.withUnsafeBufferPointer { qq in
                for i in 0..<o.count { o[i] = a * o[i] + b * qq[i] }
            }
        }
        return out
    }

    /// k-diffusion `to_d`: `(x − denoised) / sigma`.
    static func derivative(x: Tensor, denoised: Tensor, sigma: Float) -> Tensor {
        var out = x
        out.data.withUnsafeMutableBufferPointer { o in
            denoised.data.withUnsafeBufferPointer { d in
                for i in 0..<o.count { o[i] = (o[i] - d[i]) / sigma }
            }
        }
        return out
    }

    /// `self + d·dt`.
    func stepped(along d: Tensor, by dt: Float) -> Tensor {
        var out = self
        out.data.withUnsafeMutableBufferPointer { o in
            d.data.withUnsafeBufferPointer { dd in
                for i in 0..<o.count { o[i] = o[i] + dd[i] * dt }
            }
        }
        return out
    }
}
