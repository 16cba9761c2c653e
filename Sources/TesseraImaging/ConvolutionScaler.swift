/// Pillow's two-pass convolution resize on 8-bit samples (ImagingResample semantics).
enum ConvolutionScaler {
    /// Reads only `window`; fails when the kernels reach outside it.
    static func render(_ window: SourceWindow, width: Int, height: Int, region: PixelRect, box: SourceBox,
                       filter: ResampleFilter, passOrder: ResamplePassOrder) throws -> RGBAImage {
        let (sourceWidth, sourceHeight) = (window.sourceWidth, window.sourceHeight)
        // Pillow skips a pass when that axis is unchanged and the box spans it exactly.
        let needHorizontal = width != sourceWidth || box.x0 != 0 || box.x1 != Double(width)
        let needVertical = height != sourceHeight || box.y0 != 0 || box.y1 != Double(height)
        let kernelX = ResampleKernel(filter: filter, inSize: sourceWidth, in0: box.x0, in1: box.x1,
                                     outSize: width, outputs: region.x..<region.maxX)
        let kernelY = ResampleKernel(filter: filter, inSize: sourceHeight, in0: box.y0, in1: box.y1,
                                     outSize: height, outputs: region.y..<region.maxY)
        let columns = needHorizontal ? kernelX.sourceSpan : region.x..<region.maxX
        let rows = needVertical ? kernelY.sourceSpan : region.y..<region.maxY
        try window.checkCovers(PixelRect(x: columns.lowerBound, y: rows.lowerBound, width: columns.count, height: rows.count))

        // Pillow converts RGBA to premultiplied RGBa before resampling and back after.
        // For opaque pixels both conversions are the identity, so they are skipped there.
        var source = PremultipliedSource(image: window.pixels, columns: columns.shifted(by: -window.rect.x),
                                         rows: rows.shifted(by: -window.rect.y))
        source.originX = columns.lowerBound
        // Rule measured against Pillow 13.0 on random sizes (its C code chooses the order).
        let verticalFirst = passOrder == .pillow13 && height < sourceHeight
            && (sourceHeight - height) > 2 * (sourceWidth - width)
        if verticalFirst {
            if needVertical { source = source.verticalPass(kernelY, firstRow: rows.lowerBound) }
            if needHorizontal { source = source.horizontalPass(kernelX) }
        } else {
            if needHorizontal { source = source.horizontalPass(kernelX) }
            if needVertical { source = source.verticalPass(kernelY, firstRow: rows.lowerBound) }
        }
        return source.unpremultiplied()
    }
}

extension Range<Int> {
    func shifted(by offset: Int) -> Range<Int> { (lowerBound + offset)..<(upperBound + offset) }
}
