import TesseraImaging

extension UpscalePlan {
    /// Source pixels of context beyond a classical filter's support (rounding slack).
    static let classicalWindowMargin = 2
    /// Source pixels of context for an ESRGAN pre-upscale: the region upscaler's model margin, its unshuffle
    /// alignment and the intermediate Lanczos steps, with room to spare (the model steps of a chain add up to less
    /// than twice the first one's reach).
    static let esrganWindowMargin = 2 * (ESRGANRegionUpscaler.defaultMargin + 8)

    /// The part of the source that tile `index` reads: its render rectangle mapped back to the source, grown by the
    /// pre-upscaler's reach. The coordinator ships a tile only this window, so a job's messages stay small however
    /// large its source is; the window-aware resizers refuse any read outside it rather than guess.
    public func sourceWindow(forTile index: Int) -> PixelRect {
        let preUpscaler = spec.diffusion?.preUpscaler ?? spec.upscaler
        let margin = ClassicalUpscaler.filter(named: preUpscaler) == nil ? Self.esrganWindowMargin : Self.classicalWindowMargin
        return SourceWindow.rect(
            around: renderRect(index), sourceWidth: sourceWidth, sourceHeight: sourceHeight,
            targetWidth: outputWidth, targetHeight: outputHeight, margin: margin)
    }

    /// What a worker is given for tile `index` of `source`: its window, or the whole source for jobs that read it
    /// whole. The single-process drivers render through it too, so they prove the windows hold.
    func window(ofTile index: Int, in source: RGBAImage) throws -> SourceWindow {
        rendersFromSourceWindows ? try SourceWindow(cropping: source, to: sourceWindow(forTile: index)) : SourceWindow(whole: source)
    }

    /// True when tile `index` of this job can render from ``sourceWindow(forTile:)``. Generation jobs and tiled
    /// diffusion stages read the whole source (their one image is the source), so they get it whole.
    public var rendersFromSourceWindows: Bool { spec.generation == nil && spec.tiledDiffusion == nil }
}
