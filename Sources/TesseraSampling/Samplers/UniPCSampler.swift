import Foundation
import TesseraTensor

/// A1111's "UniPC": the UniPC multistep predictor–corrector (Zhao et al. 2023) in data
/// prediction mode, on the discrete model schedule seen as a VP SDE, as A1111 vendors it
/// (`modules/models/diffusion/uni_pc/uni_pc.py`, driven by `sd_samplers_timesteps_impl.unipc`).
///
/// It walks `steps` intervals of continuous time from `tStart` (1 for txt2img) down to 1/N,
/// calling the eps model at `(t − 1/N)·1000`. The first `order − 1` steps warm up with lower
/// orders; every step but the last runs the corrector, whose model call at the predicted point
/// is reused as the next step's model value, so a run makes exactly `steps` model calls.
public struct UniPCSampler: Sendable, Equatable {
    /// The B(h) choice of the solver (A1111 option `uni_pc_variant`).
    public enum Variant: String, Sendable, CaseIterable, Codable {
        case bh1
        case bh2
        case varyCoeff = "vary_coeff"
    }

    /// How the time grid is spaced (A1111 option `uni_pc_skip_type`).
    public enum SkipType: String, Sendable, CaseIterable, Codable {
        case timeUniform = "time_uniform"
        case timeQuadratic = "time_quadratic"
        case logSNR
    }

    /// A1111 default: bh1.
    public var variant: Variant
    /// A1111 default: time_uniform.
    public var skipType: SkipType
    /// A1111 default: 3 (must not exceed the number of steps).
    public var order: Int
    /// A1111 default: true (the last steps drop to lower orders).
    public var lowerOrderFinal: Bool

    /// A UniPC with A1111's default options unless overridden.
    public init(variant: Variant = .bh1, skipType: SkipType = .timeUniform, order: Int = 3, lowerOrderFinal: Bool = true) {
        self.variant = variant
        self.skipType = skipType
        self.order = order
        self.lowerOrderFinal = lowerOrderFinal
    }

    /// The continuous times visited: `steps + 1` values from `tStart` down to 1/N.
    public func times(steps: Int, tStart: Float, schedule: VPNoiseSchedule) -> [Float] {
        let tEnd = Float(1.0 / Double(schedule.trainingSteps))
        switch skipType {
        case .timeUniform:
            return DiscreteNoiseSchedule.linspaceFloat(start: tStart, end: tEnd, count: steps + 1)
        case .timeQuadratic:
            let start = tStart.squareRoot()
            let end = Float((1.0 / Double(schedule.trainingSteps)).squareRoot())
            return DiscreteNoiseSchedule.linspaceFloat(start: start, end: end, count: steps + 1).map { $0 * $0 }
        case .logSNR:
            let lambdas = DiscreteNoiseSchedule.linspaceFloat(start: schedule.lambda(tStart), end: schedule.lambda(tEnd), count: steps + 1)
            return lambdas.map(schedule.time(forLambda:))
        }
    }

    /// Runs `steps` steps from `x` (in VP scale: unit noise for txt2img) starting at continuous
    /// time `tStart` (nil = 1, the top of the schedule) and returns the final latent. Progress
    /// reports each step's starting latent and its x0 estimate; `sigma` is √(1−ᾱ)/√ᾱ there.
    public func sample<M: NoisePredictor>(_ x: Tensor, steps: Int, tStart: Float? = nil, schedule: DiscreteNoiseSchedule,
                                          model: M, progress: SamplerProgress? = nil) throws -> Tensor {
        guard order >= 1 else { throw SamplingError.invalidParameter(name: "UniPC order", problem: "must be at least 1, got \(order)") }
        guard steps >= order else {
            throw SamplingError.invalidParameter(name: "UniPC order", problem: "must be < sampling steps (\(order) order, \(steps) steps)")
        }
        let vp = try VPNoiseSchedule(schedule)
        let start = tStart ?? 1
        guard start.isFinite, start > Float(1.0 / Double(vp.trainingSteps)), start <= 1 else {
            throw SamplingError.invalidParameter(name: "UniPC start time", problem: "must be in (1/N, 1], got \(start)")
        }
        let ts = times(steps: steps, tStart: start, schedule: vp)
        var run = Run(sampler: self, vp: vp, model: model, stepCount: steps, progress: progress)
        return try run.sample(x, times: ts)
    }

    /// One sampling run: the model wrapper and the history of model values.
    private struct Run<M: NoisePredictor> {
        let sampler: UniPCSampler
        let vp: VPNoiseSchedule
        let model: M
        let stepCount: Int
        let progress: SamplerProgress?

        /// Data prediction x0 = (x − σ_t·eps)/α_t at continuous time t.
        func dataPrediction(_ x: Tensor, _ t: Float) throws -> Tensor {
            let input = (t - Float(1.0 / Double(vp.trainingSteps))) * 1000
            let eps = try model.predictNoise(x, timestep: input)
            guard eps.shape == x.shape else {
                throw SamplingError.mismatch("noise prediction has shape \(eps.shape), latent has \(x.shape)")
            }
            let sigma = vp.std(t), alpha = vp.alpha(t)
            return Tensor(shape: x.shape, data: zip(x.data, eps.data).map { (xv, ev) in (xv - sigma * ev) / alpha })
        }

        mutating func sample(_ start: Tensor, times ts: [Float]) throws -> Tensor {
            let order = sampler.order
            var x = start
            var models = [try dataPrediction(x, ts[0])]
            var previousTimes = [ts[0]]
            var stepIndex = 0
            for warmup in 1..<max(order, 1) {
                try report(stepIndex, x, previousTimes.last!, models.last!)
                let (next, modelAtNext) = try update(x, models: models, times: previousTimes, t: ts[warmup], order: warmup, corrector: true)
                x = next
                models.append(try modelAtNext ?? dataPrediction(x, ts[warmup]))
                previousTimes.append(ts[warmup])
                stepIndex += 1
            }
            for step in order...stepCount {
                try report(stepIndex, x, previousTimes.last!, models.last!)
                let stepOrder = sampler.lowerOrderFinal ? min(order, stepCount + 1 - step) : order
                let (next, modelAtNext) = try update(x, models: models, times: previousTimes, t: ts[step], order: stepOrder,
                                                     corrector: step != stepCount)
                x = next
                if order > 1 {
                    models.removeFirst()
                    previousTimes.removeFirst()
                    previousTimes.append(ts[step])
                    if step < stepCount { models.append(try modelAtNext ?? dataPrediction(x, ts[step])) }
                } else {
                    previousTimes[0] = ts[step]
                    if step < stepCount { models[0] = try modelAtNext ?? dataPrediction(x, ts[step]) }
                }
                stepIndex += 1
            }
            return x
        }

        private func report(_ index: Int, _ x: Tensor, _ t: Float, _ denoised: Tensor) throws {
            guard let progress else { return }
            let alpha = vp.alpha(t)
            try progress(SamplerStep(index: index, count: stepCount, sigma: vp.std(t) / alpha, x: x, denoised: denoised))
        }

        /// One multistep UniPC update from the last time in `times` to `t` with the given order.
        /// Returns the new latent and the model value at the predicted point (when the
        /// corrector ran), which the caller reuses.
        private func update(_ x: Tensor, models: [Tensor], times: [Float], t: Float, order: Int,
                            corrector: Bool) throws -> (Tensor, Tensor?) {
            switch sampler.variant {
            case .bh1, .bh2: try bhUpdate(x, models: models, times: times, t: t, order: order, corrector: corrector)
            case .varyCoeff: try varyCoefficientUpdate(x, models: models, times: times, t: t, order: order, corrector: corrector)
            }
        }

        /// The history terms shared by both variants: r_k and D1_k = (m_k − m_0)/r_k.
        private func differences(models: [Tensor], times: [Float], order: Int, lambdaPrev: Float, h: Float) -> ([Float], [Tensor]) {
            let m0 = models[models.count - 1]
            var rks = [Float](), d1s = [Tensor]()
            for i in 1..<max(order, 1) {
                let rk = (vp.lambda(times[times.count - 1 - i]) - lambdaPrev) / h
                rks.append(rk)
                let mi = models[models.count - 1 - i]
                d1s.append(Tensor(shape: m0.shape, data: zip(mi.data, m0.data).map { ($0 - $1) / rk }))
            }
            return (rks + [1], d1s)
        }

        private func bhUpdate(_ x: Tensor, models: [Tensor], times: [Float], t: Float, order: Int,
                              corrector: Bool) throws -> (Tensor, Tensor?) {
            let tPrev = times[times.count - 1]
            let lambdaPrev = vp.lambda(tPrev), lambdaT = vp.lambda(t)
            let sigmaPrev = vp.std(tPrev), sigmaT = vp.std(t), alphaT = expf(vp.logAlpha(t))
            let h = lambdaT - lambdaPrev
            let m0 = models[models.count - 1]
            let (rks, d1s) = differences(models: models, times: times, order: order, lambdaPrev: lambdaPrev, h: h)

            let hh = -h
            let hPhi1 = expm1f(hh)
            var hPhiK = hPhi1 / hh - 1
            var factorial = 1
            let bH = sampler.variant == .bh1 ? hh : expm1f(hh)
            var r = [[Float]](), b = [Float]()
            for i in 1...order {
                r.append(rks.map { Self.integerPower($0, i - 1) })
                b.append(hPhiK * Float(factorial) / bH)
                factorial *= i + 1
                hPhiK = hPhiK / hh - Float(1.0 / Double(factorial))
            }
            let predictorRhos: [Float]? = d1s.isEmpty ? nil
                : (order == 2 ? [0.5] : try SmallLinearAlgebra.solve(r.dropLast().map { Array($0.dropLast()) }, Array(b.dropLast())))
            let correctorRhos: [Float]? = corrector ? (order == 1 ? [0.5] : try SmallLinearAlgebra.solve(r, b)) : nil

            let keep = sigmaT / sigmaPrev, pull = alphaT * hPhi1, scale = alphaT * bH
            let base = Tensor(shape: x.shape, data: zip(x.data, m0.data).map { keep * $0 - pull * $1 })
            var xT = base
            if let rhos = predictorRhos {
                let residual = combination(d1s, rhos)
                xT = Tensor(shape: x.shape, data: zip(base.data, residual.data).map { $0 - scale * $1 })
            }
            guard let rhos = correctorRhos else { return (xT, nil) }
            let modelT = try dataPrediction(xT, t)
            let residual = d1s.isEmpty ? nil : combination(d1s, Array(rhos.dropLast()))
            let last = rhos[rhos.count - 1]
            var out = base
            for i in 0..<out.count {
                let d1t = modelT.data[i] - m0.data[i]
                out.data[i] = base.data[i] - scale * ((residual?.data[i] ?? 0) + last * d1t)
            }
            return (out, modelT)
        }

        private func varyCoefficientUpdate(_ x: Tensor, models: [Tensor], times: [Float], t: Float, order: Int,
                                           corrector: Bool) throws -> (Tensor, Tensor?) {
            let tPrev = times[times.count - 1]
            let lambdaPrev = vp.lambda(tPrev), lambdaT = vp.lambda(t)
            let sigmaPrev = vp.std(tPrev), sigmaT = vp.std(t), alphaT = expf(vp.logAlpha(t))
            let h = lambdaT - lambdaPrev
            let m0 = models[models.count - 1]
            let (rks, d1s) = differences(models: models, times: times, order: order, lambdaPrev: lambdaPrev, h: h)
            let k = rks.count

            // C[:, j] = rks^j / (j + 1)!, built column by column in float32 as the reference does.
            var columns = [[Float]](), column = [Float](repeating: 1, count: k)
            for j in 1...k {
                columns.append(column)
                column = zip(column, rks).map { $0 * $1 / Float(j + 1) }
            }
            let c = (0..<k).map { row in (0..<k).map { col in columns[col][row] } }
            let predictorInverse = d1s.isEmpty ? nil : try SmallLinearAlgebra.inverse(c.dropLast().map { Array($0.dropLast()) })
            let correctorInverse = corrector ? try SmallLinearAlgebra.inverse(c) : nil

            let hh = -h
            let hPhi1 = expm1f(hh)
            var hPhiKs = [Float](), hPhiK = hPhi1, factorial = 1
            for j in 1...(k + 1) {
                hPhiKs.append(hPhiK)
                hPhiK = hPhiK / hh - Float(1.0 / Double(factorial))
                factorial *= j + 1
            }

            let keep = sigmaT / sigmaPrev, pull = alphaT * hPhi1
            let base = Tensor(shape: x.shape, data: zip(x.data, m0.data).map { keep * $0 - pull * $1 })
            var xT = base
            if let inverse = predictorInverse {
                for row in 0..<(k - 1) {
                    let term = combination(d1s, inverse[row]), factor = alphaT * hPhiKs[row + 1]
                    xT = Tensor(shape: x.shape, data: zip(xT.data, term.data).map { $0 - factor * $1 })
                }
            }
            guard let inverse = correctorInverse else { return (xT, nil) }
            let modelT = try dataPrediction(xT, t)
            var out = base
            for row in 0..<(k - 1) {
                let term = combination(d1s, Array(inverse[row].dropLast())), factor = alphaT * hPhiKs[row + 1]
                out = Tensor(shape: x.shape, data: zip(out.data, term.data).map { $0 - factor * $1 })
            }
            // The reference applies the last corrector weight from row max(K − 2, 0) (its loop
            // variable after the loop), not row K − 1; kept for identical results.
            let weight = inverse[max(k - 2, 0)][k - 1], factor = alphaT * hPhiKs[k]
            for i in 0..<out.count {
                out.data[i] -= factor * ((modelT.data[i] - m0.data[i]) * weight)
            }
            return (out, modelT)
        }

        /// `torch.pow(r, n)`: torch multiplies out the small integer exponents.
        private static func integerPower(_ r: Float, _ n: Int) -> Float {
            switch n {
            case 0: 1
            case 1: r
            case 2: r * r
            case 3: r * r * r
            default: powf(r, Float(n))
            }
        }

        /// Σ_k weights[k]·terms[k] (einsum over the history axis).
        private func combination(_ terms: [Tensor], _ weights: [Float]) -> Tensor {
            var out = Tensor(shape: terms[0].shape, repeating: 0)
            for (term, w) in zip(terms, weights) {
                for i in 0..<out.count { out.data[i] += w * term.data[i] }
            }
            return out
        }
    }
}
