/// Multi-head scaled dot-product attention, `softmax(Q Kᵀ / √d) V`, computed in blocks.
///
/// `query` is `[B, Tq, heads·d]`, `key` and `value` `[B, Tk, heads·d]`; the result is `[B, Tq, heads·d]`.
/// Queries are taken `queryBlock` at a time and keys `keyBlock` at a time with a running
/// (online) softmax, so no `Tq×Tk` score matrix ever exists: scratch memory per core is
/// `queryBlock × keyBlock` floats whatever the latent size. With `causal`, query `i` only sees
/// keys `j ≤ i` (CLIP's text encoder).
public func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int, causal: Bool = false,
                      queryBlock: Int = 128, keyBlock: Int = 1024) -> Tensor {
    precondition(query.rank == 3 && key.rank == 3 && value.rank == 3, "attention wants [B, T, heads*d] tensors")
    let b = query.shape[0], tq = query.shape[1], width = query.shape[2]
    let tk = key.shape[1]
    precondition(key.shape[0] == b && value.shape[0] == b, "attention batch sizes differ")
    precondition(key.shape[2] == width && value.shape[2] == width, "attention widths differ: \(query.shape) \(key.shape) \(value.shape)")
    precondition(value.shape[1] == tk, "attention key and value lengths differ")
    precondition(width % heads == 0, "attention width \(width) does not split into \(heads) heads")
    let d = width / heads
    let scale = 1 / Float(d).squareRoot()
    FlopCounter.add(4 * Int64(b) * Int64(heads) * Int64(tq) * Int64(tk) * Int64(d))
    let qBlocks = (tq + queryBlock - 1) / queryBlock
    return Tensor(shape: [b, tq, width]) { out in
        query.data.withUnsafeBufferPointer { q in
            key.data.withUnsafeBufferPointer { k in
                value.data.withUnsafeBufferPointer { v in
                    Parallel.forEach(b * heads * qBlocks) { item in
                        let qb = item % qBlocks
                        let head = (item / qBlocks) % heads
                        let batch = item / (qBlocks * heads)
                        let q0 = qb * queryBlock
                        let rows = min(queryBlock, tq - q0)
                        let headOffset = head * d
                        attentionBlock(
                            q: q.baseAddress! + (batch * tq + q0) * width + headOffset,
                            k: k.baseAddress! + batch * tk * width + headOffset,
                            v: v.baseAddress! + batch * tk * width + headOffset,
                            out: out.baseAddress! + (batch * tq + q0) * width + headOffset,
                            rows: rows, firstQuery: q0, keys: tk, d: d, stride: width, scale: scale,
                            causal: causal, keyBlock: keyBlock)
                    }
                }
            }
        }
    }
}

/// One block of query rows against every key, with the online softmax (on the calling thread).
private func attentionBlock(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                            out: UnsafeMutablePointer<Float>, rows: Int, firstQuery: Int, keys: Int, d: Int,
                            stride: Int, scale: Float, causal: Bool, keyBlock: Int) {
    let kbMax = min(keyBlock, keys)
    let scores = UnsafeMutablePointer<Float>.allocate(capacity: rows * kbMax)
    let accumulator = UnsafeMutablePointer<Float>.allocate(capacity: rows * d)
    var runningMax = [Float](repeating: -.infinity, count: rows)
    var runningSum = [Float](repeating: 0, count: rows)
    defer { scores.deallocate(); accumulator.deallocate() }
    accumulator.initialize(repeating: 0, count: rows * d)
    let lastQuery = firstQuery + rows - 1
    var k0 = 0
    while k0 < keys {
        if causal && k0 > lastQuery { break }
        let kb = min(kbMax, keys - k0)
        BLAS.gemmSerial(transB: true, m: rows, n: kb, k: d, alpha: scale, a: q, lda: stride,
                        b: k + k0 * stride, ldb: stride, beta: 0, c: scores, ldc: kb)
        for r in 0..<rows {
            let s = scores + r * kb
            // Keys this query may see in this block.
            let visible = causal ? max(0, min(kb, firstQuery + r - k0 + 1)) : kb
            let blockMax = visible > 0 ? VectorMath.maximum(s, count: visible) : -Float.infinity
            let newMax = max(runningMax[r], blockMax)
            let sum = visible > 0 ? VectorMath.expShiftedSum(s, count: visible, shift: newMax) : 0
            if visible < kb { (s + visible).update(repeating: 0, count: kb - visible) }
            let correction: Float = runningMax[r] == -.infinity ? 0 : VectorMath.exp1(runningMax[r] - newMax)
            if correction != 1 {
                let a = accumulator + r * d
                for j in 0..<d { a[j] *= correction }
            }
            runningSum[r] = runningSum[r] * correction + sum
            runningMax[r] = newMax
        }
        BLAS.gemmSerial(m: rows, n: d, k: kb, a: scores, lda: kb, b: v + k0 * stride, ldb: stride,
                        beta: 1, c: accumulator, ldc: d)
        k0 += kb
    }
    for r in 0..<rows {
        let inverse = 1 / runningSum[r]
        let a = accumulator + r * d
        let o = out + r * stride
        for j in 0..<d { o[j] = a[j] * inverse }
    }
}
