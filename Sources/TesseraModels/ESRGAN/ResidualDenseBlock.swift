import TesseraTensor

/// ESRGAN residual dense block: five 3×3 convs, each seeing the block input and all earlier
/// outputs (LeakyReLU 0.2 after the first four); the result is scaled by 0.2 and added to the input.
struct ResidualDenseBlock: Sendable {
    let convs: [Conv2DLayer]

    init(_ loader: ParameterLoader, _ prefix: String, features: Int, growth: Int) throws {
        convs = try (0..<5).map { j in
            try Conv2DLayer(loader, "\(prefix).conv\(j + 1)", in: features + j * growth, out: j == 4 ? features : growth, kernel: 3)
        }
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var inputs = [x]
        for j in 0..<4 {
            var h = convs[j](Tensor.concatChannels(inputs))
            h.apply(.leakyReLU(slope: 0.2))
            inputs.append(h)
        }
        var out = convs[4](Tensor.concatChannels(inputs)) * 0.2
        out.add(x)
        return out
    }
}

/// Residual-in-residual dense block: three dense blocks, scaled by 0.2 and added to the input.
struct RRDB: Sendable {
    let blocks: [ResidualDenseBlock]

    init(_ loader: ParameterLoader, _ prefix: String, features: Int, growth: Int) throws {
        blocks = try (1...3).map { try ResidualDenseBlock(loader, "\(prefix).rdb\($0)", features: features, growth: growth) }
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var out = blocks[2](blocks[1](blocks[0](x))) * 0.2
        out.add(x)
        return out
    }
}
