/// Which of the two separable passes runs first. The intermediate image is rounded to
/// 8 bits, so the order changes results by a level or two.
public enum ResamplePassOrder: String, Sendable, Hashable, CaseIterable {
    /// Pillow ≥ 13: vertical first when the height shrinks by more than twice as many
    /// pixels as the width does (`H - h > 2·(W - w)` with `h < H`), horizontal first otherwise.
    /// Identical to `.horizontalFirst` whenever the height does not shrink, i.e. for every upscale.
    case pillow13
    /// Pillow ≤ 12 (including the Pillow 9.5 pinned by A1111): always horizontal first.
    case horizontalFirst
}
