import ArgumentParser
import Foundation
import TesseraModels
import TesseraTensor

/// `tessera-bench core`: full-size SD1.5 modules with random weights, timed on one 512×512 tile.
///
/// Prints seconds, GFLOP/s (matrix-product work counted by `FlopCounter`) and the process's peak
/// resident memory after each stage; when PyTorch is importable, runs benchmarks/torch_anchor.py on
/// the same shapes and prints our time over torch's.
struct CoreBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "Time the SD1.5 UNet, ControlNet and VAE on one 512x512 tile (random weights).")

    @Option(help: "Image side in pixels (multiple of 64).")
    var size: Int = 512

    @Option(help: "UNet / ControlNet batch (2 = cond + uncond).")
    var batch: Int = 2

    @Option(help: "Path of torch_anchor.py (run only if `import torch` works).")
    var torchAnchor: String = "benchmarks/torch_anchor.py"

    @Flag(help: "Skip the PyTorch comparison.")
    var noTorch = false

    @Option(help: "Comma-separated stages to run: unet, controlnet, vae-decode, vae-encode (default: all).")
    var only: String?

    struct Stage: Codable {
        var name: String
        var seconds: Double
        var gflops: Double
    }

    func run() throws {
        guard size > 0, size % 64 == 0 else { throw ValidationError("--size must be a positive multiple of 64, got \(size)") }
        let latent = size / 8
        say("Tessera core benchmark: SD1.5 shapes, random weights, \(size)x\(size) tile, batch \(batch), \(Parallel.coreCount) cores, OpenBLAS \(BLAS.kernelName) kernels")
        var stages: [Stage] = []

        let known = ["unet", "controlnet", "vae-decode", "vae-encode"]
        let selected = only.map { $0.split(separator: ",").map { String($0) } } ?? known
        if let bad = selected.first(where: { !known.contains($0) }) {
            throw ValidationError("unknown stage '\(bad)' in --only (known: \(known.joined(separator: ", ")))")
        }
        let wantsUNet = selected.contains("unet"), wantsControl = selected.contains("controlnet")
        let wantsVAE = selected.contains("vae-decode") || selected.contains("vae-encode")
        let unet = try wantsUNet ? timedLoad("UNet") { try UNet(randomWeights: .sd15, seed: 1) } : nil
        let controlNet = try wantsControl ? timedLoad("ControlNet") { try ControlNet(randomWeights: .sd15, seed: 2) } : nil
        let vae = try wantsVAE ? timedLoad("VAE") { try AutoencoderKL(randomWeights: .sd15, seed: 3) } : nil
        let weights = (unet?.parameters.parameterCount ?? 0) + (controlNet?.parameters.parameterCount ?? 0) + (vae?.parameters.parameterCount ?? 0)
        say(String(format: "loaded: %.2f GB of weights, peak RSS %.2f GB", Double(weights) * 4 / 1e9, ProcessUsage.peakRSSGB()))

        let sample = random([batch, 4, latent, latent], seed: 10)
        let context = random([batch, 77, 768], seed: 11)
        let hint = random([batch, 3, size, size], seed: 12, offset: 0.5, scale: 0.5)
        let timesteps = [Float](repeating: 501, count: batch)

        if let unet {
            stages.append(try measure("unet_b\(batch)_\(latent)") { _ = try unet(sample, timesteps: timesteps, context: context) })
        }
        if let controlNet {
            var residuals: ControlResiduals?
            stages.append(try measure("controlnet_b\(batch)_\(latent)") {
                residuals = try controlNet(sample, hint: hint, timesteps: timesteps, context: context)
            })
            if let unet {
                stages.append(try measure("unet_with_control_b\(batch)_\(latent)") { _ = try unet(sample, timesteps: timesteps, context: context, control: residuals) })
            }
        }
        if let vae, selected.contains("vae-decode") {
            let z = random([1, 4, latent, latent], seed: 13)
            stages.append(try measure("vae_decode_\(latent)_to_\(size)") { _ = try vae.decode(z) })
        }
        if let vae, selected.contains("vae-encode") {
            let image = random([1, 3, size, size], seed: 14)
            stages.append(try measure("vae_encode_\(size)_to_\(latent)") { _ = try vae.encode(image) })
        }
        say(String(format: "peak RSS with UNet + ControlNet + VAE loaded: %.2f GB", ProcessUsage.peakRSSGB()))

        if !noTorch { compareWithTorch(stages) }
    }

    func timedLoad<T>(_ name: String, _ build: () throws -> T) throws -> T {
        let start = Date()
        let model = try build()
        say(String(format: "built %@ in %.1f s", name, Date().timeIntervalSince(start)))
        return model
    }

    func measure(_ name: String, _ body: () throws -> Void) throws -> Stage {
        let flops = FlopCounter.total
        let cpuStart = ProcessUsage.cpuSeconds()
        let start = Date()
        try body()
        let seconds = Date().timeIntervalSince(start)
        let gflops = Double(FlopCounter.total - flops) / seconds / 1e9
        let cpu = ProcessUsage.cpuSeconds() - cpuStart
        say(name.padding(toLength: 26, withPad: " ", startingAt: 0)
            + String(format: " %8.2f s  %7.1f GFLOP/s  cpu %7.1f s  peak RSS %.2f GB", seconds, gflops, cpu, ProcessUsage.peakRSSGB()))
        return Stage(name: name, seconds: seconds, gflops: gflops)
    }

    func random(_ shape: [Int], seed: UInt64, offset: Float = 0, scale: Float = 1) -> Tensor {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        let count = shape.reduce(1, *)
        let data = (0..<count).map { _ -> Float in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return offset + scale * (Float(state >> 40) / Float(1 << 24) * 2 - 1)
        }
        return Tensor(shape: shape, data: data)
    }

    /// Runs the PyTorch anchor on the same shapes and prints ours / torch per stage.
    func compareWithTorch(_ stages: [Stage]) {
        guard runPython(["-c", "import torch"]).status == 0 else {
            say("torch comparison skipped: `python3 -c \"import torch\"` fails on this machine")
            return
        }
        guard FileManager.default.fileExists(atPath: torchAnchor) else {
            say("torch comparison skipped: \(torchAnchor) not found (run from the repository root or pass --torch-anchor)")
            return
        }
        let result = runPython([torchAnchor, "--size", "\(size)", "--batch", "\(batch)", "--json"])
        guard result.status == 0,
              // Library warnings share the pipe: the table is the last line that is a JSON list.
              let data = result.output.split(separator: "\n").last(where: { $0.hasPrefix("[") }).map({ Data($0.utf8) }),
              let torchStages = try? JSONDecoder().decode([Stage].self, from: data) else {
            say("torch anchor failed (exit \(result.status)):\n\(result.output)")
            return
        }
        say("stage                        ours s   torch s   ours/torch")
        for stage in stages {
            guard let t = torchStages.first(where: { $0.name == stage.name }) else { continue }
            say(stage.name.padding(toLength: 28, withPad: " ", startingAt: 0)
                + String(format: " %7.2f  %8.2f   %6.2f", stage.seconds, t.seconds, stage.seconds / t.seconds))
        }
    }

    func runPython(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Writes a line to standard output unbuffered, so progress shows as it happens even when
/// the output is a file or a pipe (print() buffers then).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
