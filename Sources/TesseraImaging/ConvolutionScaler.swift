/// Pillow's two-pass convolution resize on 8-bit samples (ImagingResample semantics).
enum ConvolutionScaler {
    static func render(_ image: RGBAImage, width: Int, height: Int, region: PixelRect, box: SourceBox,
                       filter: ResampleFilter, passOrder: ResamplePassOrder) -> RGBAImage {
        // Pillow skips a pass when that axis is unchanged and the box spans it exactly.
        let needHorizontal = width != image.width || box.x0 != 0 || box.x1 != Double(width)
        let needVertical = height != image.height || box.y0 != 0 || box.y1 != Double(height)
        let kernelX = ResampleKernel(filter: filter, inSize: image.width, in0: box.x0, in1: box.x1,
                                     outSize: width, outputs: region.x..<region.maxX)
        let kernelY = ResampleKernel(filter: filter, inSize: image.height, in0: box.y0, in1: box.y1,
                                     outSize: height, outputs: region.y..<region.maxY)
        let columns = needHorizontal ? kernelX.sourceSpan : region.x..<region.maxX
        let rows = needVertical ? kernelY.sourceSpan : region.y..<region.maxY

        // Pillow converts RGBA to premultiplied RGBa before resampling and back after.
        // For opaque pixels both conversions are the identity, so they are skipped there.
        var source = PremultipliedSource(image: image, columns: columns, rows: rows)
        // Rule measured against Pillow 13.0 on random sizes (its C code chooses the order).
        let verticalFirst = passOrder == .pillow13 && height < image.height
            && (image.height - height) > 2 * (image.width - width)
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
