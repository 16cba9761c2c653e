/// Fully connected layer (PyTorch `Linear`): `y = x · Wᵀ + b` over the last dimension.
///
/// `input` is `[..., inFeatures]`, `weight` `[outFeatures, inFeatures]`; the result is `[..., outFeatures]`.
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    precondition(weight.rank == 2, "linear weight must be [out, in], got \(weight.shape)")
    let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
    precondition(input.shape.last == inFeatures, "linear expects last dimension \(inFeatures), input is \(input.shape)")
    precondition(bias == nil || bias!.count == outFeatures, "linear bias has \(bias!.count) elements for \(outFeatures) outputs")
    let rows = input.count / max(1, inFeatures)
    var shape = input.shape
    shape[shape.count - 1] = outFeatures
    return Tensor(shape: shape) { out in
        if let bias {
            bias.data.withUnsafeBufferPointer { b in
                Parallel.forEach(rows, minimumChunk: 64) { r in
                    (out.baseAddress! + r * outFeatures).update(from: b.baseAddress!, count: outFeatures)
                }
            }
        } else {
            out.update(repeating: 0)
        }
        input.data.withUnsafeBufferPointer { x in
            weight.data.withUnsafeBufferPointer { wt in
                BLAS.gemm(transB: true, m: rows, n: outFeatures, k: inFeatures, a: x.baseAddress!, lda: inFeatures,
                          b: wt.baseAddress!, ldb: inFeatures, beta: 1, c: out.baseAddress!, ldc: outFeatures)
            }
        }
    }
}
