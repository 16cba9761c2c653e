import COpenBLAS

/// Row-major single-precision matrix products over OpenBLAS.
///
/// OpenBLAS is pinned to one thread and the products are split across cores by `Parallel`:
/// letting OpenBLAS spawn its own threads while our loops also run on every core would
/// oversubscribe the machine (its idle threads spin after each call).
public enum BLAS {
    private static let singleThreaded: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// Name of the kernel family OpenBLAS runs (e.g. "Cooperlake", "Haswell"). OpenBLAS picks it
    /// from the CPU unless OPENBLAS_CORETYPE forces one; AVX-512 families run ~1.6× faster here.
    public static var kernelName: String {
        _ = singleThreaded
        return String(cString: openblas_get_corename())
    }

    /// `C = alpha · op(A) · op(B) + beta · C` with row-major operands, on the calling thread only.
    ///
    /// `op(A)` is `m×k`, `op(B)` is `k×n`, `C` is `m×n`; `lda`, `ldb`, `ldc` are row strides.
    public static func gemmSerial(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = singleThreaded
        if m == 0 || n == 0 { return }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Same product as `gemmSerial`, split over the cores along whichever of `m` or `n` is larger.
    ///
    /// Counted in `FlopCounter`.
    public static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        FlopCounter.add(2 * Int64(m) * Int64(n) * Int64(k))
        let work = m * n * k
        // Below ~1 MFLOP the dispatch costs more than it saves.
        let parts = work < (1 << 19) ? 1 : Parallel.coreCount
        if parts == 1 {
            gemmSerial(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                       a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        // Split along N when it is wide enough: each part then reads all of A but a slice of B and C.
        if n >= m || n >= 64 * parts {
            Parallel.forRanges(n, parts: parts) { r in
                let bOffset = transB ? r.lowerBound * ldb : r.lowerBound
                gemmSerial(transA: transA, transB: transB, m: m, n: r.count, k: k, alpha: alpha,
                           a: a, lda: lda, b: b + bOffset, ldb: ldb, beta: beta, c: c + r.lowerBound, ldc: ldc)
            }
        } else {
            Parallel.forRanges(m, parts: parts) { r in
                let aOffset = transA ? r.lowerBound : r.lowerBound * lda
                gemmSerial(transA: transA, transB: transB, m: r.count, n: n, k: k, alpha: alpha,
                           a: a + aOffset, lda: lda, b: b, ldb: ldb, beta: beta, c: c + r.lowerBound * ldc, ldc: ldc)
            }
        }
    }
}
