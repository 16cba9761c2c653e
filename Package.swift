// swift-tools-version:6.0
import PackageDescription

// Layers (each module depends only on those listed above it):
//   1. TesseraImaging           — PNG I/O (libpng), resampling, tile planning, feathered blending
//      TesseraImageOps          — A1111 image-space operations: resize modes, masks, preprocessors, colour fix
//      TesseraTerminal          — progress bar with ETA on a terminal, plain lines otherwise
//   2. TesseraTensor            — Float32 NCHW tensors and ops over OpenBLAS
//      TesseraPrompt            — CLIP BPE tokenizer, A1111 prompt emphasis/BREAK/chunking, infotext
//      TesseraCheckpoint        — safetensors / pickle readers, key layouts, model detection
//      TesseraModels            — checkpoint loading, tokenizer, CLIP, UNet, VAE, ControlNet, LoRA, ESRGAN
//      TesseraSampling          — schedules, samplers, torch/Philox RNG
//      TesseraPipelines         — A1111 txt2img / img2img / inpaint / ControlNet units on the above
//   3. TesseraZMQ, TesseraWire  — libzmq wrapper; versioned wire protocol with LZ4 payloads and checksums
//   4. TesseraCluster           — coordinator (SQLite job store via GRDB), worker, tile renderers
//   5. tessera, tessera-bench   — the CLI and the benchmarks

let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tessera", targets: ["TesseraCLI"]),
        .executable(name: "tessera-bench", targets: ["TesseraBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C libraries from Debian, through pkg-config.
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        // libpng reports errors by longjmp, which Swift frames must never see; this shim owns the setjmp.
        .target(name: "CPNGShim", dependencies: ["CLibPNG"]),

        // Layer 1
        .target(name: "TesseraImaging", dependencies: ["CPNGShim"]),
        .target(name: "TesseraTerminal"),
        .target(name: "TesseraImageOps", dependencies: ["TesseraImaging"]),

        // Layer 2
        .target(name: "TesseraTensor", dependencies: ["COpenBLAS"]),
        .target(name: "TesseraPrompt", resources: [.copy("Resources/tokenizer")]),
        .target(name: "TesseraCheckpoint", dependencies: [
            "TesseraTensor", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "TesseraModels", dependencies: ["TesseraTensor", "TesseraCheckpoint", "TesseraPrompt"]),
        .target(name: "TesseraSampling", dependencies: ["TesseraTensor"]),
        .target(name: "TesseraPipelines", dependencies: [
            "TesseraModels", "TesseraSampling", "TesseraPrompt", "TesseraCheckpoint", "TesseraTensor",
            "TesseraImaging", "TesseraImageOps",
        ]),

        // Layer 3
        .target(name: "TesseraZMQ", dependencies: ["CZeroMQ"]),
        .target(name: "TesseraWire", dependencies: ["CLZ4", "TesseraZMQ"]),

        // Layer 4
        .target(name: "TesseraCluster", dependencies: [
            "TesseraImaging", "TesseraTerminal", "TesseraWire", "TesseraZMQ", "TesseraPipelines", "TesseraSampling",
            "TesseraPrompt",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Layer 5
        .executableTarget(name: "TesseraCLI", dependencies: [
            "TesseraImaging", "TesseraImageOps", "TesseraTerminal", "TesseraCluster", "TesseraWire", "TesseraModels", "TesseraSampling", "TesseraCheckpoint", "TesseraPrompt", "TesseraPipelines",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "TesseraBench", dependencies: [
            "TesseraImaging", "TesseraCluster", "TesseraModels", "TesseraSampling", "TesseraPipelines",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests
        .testTarget(name: "TesseraImagingTests", dependencies: ["TesseraImaging"]),
        .testTarget(name: "TesseraTensorTests", dependencies: ["TesseraTensor"]),
        .testTarget(name: "TesseraImageOpsTests", dependencies: ["TesseraImageOps", "TesseraImaging"], exclude: ["Generators"]),
        .testTarget(name: "TesseraTerminalTests", dependencies: ["TesseraTerminal"]),
        .testTarget(name: "TesseraPromptTests", dependencies: ["TesseraPrompt"], exclude: ["Data", "Generators"]),
        .testTarget(name: "TesseraCheckpointTests", dependencies: ["TesseraCheckpoint"]),
        .testTarget(name: "TesseraModelsTests", dependencies: ["TesseraModels"]),
        .testTarget(name: "TesseraPipelinesTests", dependencies: ["TesseraPipelines", "TesseraImaging"]),
        .testTarget(name: "TesseraSamplingTests", dependencies: ["TesseraSampling"]),
        .testTarget(name: "TesseraWireTests", dependencies: ["TesseraWire", "TesseraZMQ"]),
        .testTarget(name: "TesseraClusterTests", dependencies: ["TesseraCluster", "TesseraImaging", "TesseraWire", "TesseraZMQ"]),
        // Runs the built `tessera` executable end to end (exit codes, files written, real processes).
        .testTarget(name: "TesseraCLITests", dependencies: ["TesseraImaging"]),
        .testTarget(name: "ParityTests", dependencies: ["TesseraModels", "TesseraSampling", "TesseraTensor", "TesseraCheckpoint"]),
    ]
)
