import TesseraTensor

/// A 2-D convolution whose weights live in a `ParameterStore` under `<prefix>.weight/.bias`.
public struct Conv2DLayer: Sendable {
    let store: ParameterStore
    let weight: String, bias: String?
    let stride: Int, padding: Padding2D
    /// Output channels.
    public let outChannels: Int

    init(_ loader: ParameterLoader, _ prefix: String, in inChannels: Int, out: Int, kernel: Int,
         stride: Int = 1, padding: Padding2D? = nil, bias: Bool = true) throws {
        store = loader.store
        weight = try loader.load("\(prefix).weight", shape: [out, inChannels, kernel, kernel])
        self.bias = bias ? try loader.load("\(prefix).bias", shape: [out], role: .bias) : nil
        self.stride = stride
        self.padding = padding ?? .uniform(kernel / 2)
        outChannels = out
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, weight: store[weight], bias: bias.map { store[$0] }, stride: stride, padding: padding)
    }
}

/// A linear layer whose weights live in a `ParameterStore` under `<prefix>.weight/.bias`.
public struct LinearLayer: Sendable {
    let store: ParameterStore
    let weight: String, bias: String?

    init(_ loader: ParameterLoader, _ prefix: String, in inFeatures: Int, out: Int, bias: Bool = true) throws {
        store = loader.store
        weight = try loader.load("\(prefix).weight", shape: [out, inFeatures])
        self.bias = bias ? try loader.load("\(prefix).bias", shape: [out], role: .bias) : nil
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        linear(x, weight: store[weight], bias: bias.map { store[$0] })
    }
}

/// GroupNorm with affine parameters `<prefix>.weight/.bias`, optionally fused with SiLU.
public struct GroupNormLayer: Sendable {
    let store: ParameterStore
    let weight: String, bias: String
    let groups: Int, eps: Float

    init(_ loader: ParameterLoader, _ prefix: String, channels: Int, groups: Int, eps: Float) throws {
        store = loader.store
        weight = try loader.load("\(prefix).weight", shape: [channels], role: .normScale)
        bias = try loader.load("\(prefix).bias", shape: [channels], role: .normShift)
        self.groups = groups
        self.eps = eps
    }

    func callAsFunction(_ x: Tensor, silu: Bool = false) -> Tensor {
        groupNorm(x, groups: groups, weight: store[weight], bias: store[bias], eps: eps, silu: silu)
    }
}

/// LayerNorm over the last dimension with affine parameters `<prefix>.weight/.bias`.
public struct LayerNormLayer: Sendable {
    let store: ParameterStore
    let weight: String, bias: String
    let eps: Float

    init(_ loader: ParameterLoader, _ prefix: String, width: Int, eps: Float) throws {
        store = loader.store
        weight = try loader.load("\(prefix).weight", shape: [width], role: .normScale)
        bias = try loader.load("\(prefix).bias", shape: [width], role: .normShift)
        self.eps = eps
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        layerNorm(x, weight: store[weight], bias: store[bias], eps: eps)
    }
}
