import TesseraTensor

/// What a ControlNet adds to the UNet: one tensor per UNet skip connection (in down-path order)
/// and one for the mid block (diffusers `down_block_additional_residuals`,
/// `mid_block_additional_residual`). Several ControlNets are combined by `adding`.
public struct ControlResiduals: Sendable, Equatable {
    /// One residual per UNet skip connection, in down-path order.
    public var down: [Tensor]
    /// Residual for the mid-block output.
    public var mid: Tensor

    public init(down: [Tensor], mid: Tensor) {
        self.down = down
        self.mid = mid
    }

    /// Element-wise sum with another ControlNet's residuals (multi-ControlNet).
    public func adding(_ other: ControlResiduals) -> ControlResiduals {
        precondition(down.count == other.down.count, "residual counts differ")
        return ControlResiduals(down: zip(down, other.down).map { $0 + $1 }, mid: mid + other.mid)
    }

    /// Each residual `i` multiplied by `scales[i]` (`scales.count == down.count + 1`, last for mid):
    /// conditioning scale, guess-mode ramp or A1111 soft injection.
    public func scaled(by scales: [Float]) -> ControlResiduals {
        precondition(scales.count == down.count + 1, "need \(down.count + 1) scales, got \(scales.count)")
        return ControlResiduals(down: zip(down, scales).map { $0 * $1 }, mid: mid * scales[down.count])
    }

    /// The residuals with the samples where `keep[n]` is false zeroed: sd-webui-controlnet's
    /// "ControlNet is more important" applies control to the conditional half of the CFG batch only.
    public func keepingSamples(_ keep: [Bool]) -> ControlResiduals {
        func masked(_ t: Tensor) -> Tensor {
            precondition(t.shape[0] == keep.count, "mask of \(keep.count) for a batch of \(t.shape[0])")
            var out = t
            let size = t.count / max(1, t.shape[0])
            for (n, k) in keep.enumerated() where !k {
                out.data.replaceSubrange((n * size)..<((n + 1) * size), with: repeatElement(0, count: size))
            }
            return out
        }
        return ControlResiduals(down: down.map(masked), mid: masked(mid))
    }
}
