import Foundation
import TesseraImaging
import TesseraPipelines
import XCTest
@testable import TesseraCluster

/// txt2img / img2img / inpaint jobs through `tessera submit`: one job per image, rendered by a worker exactly as
/// one process renders it, with the same A1111 `parameters` text.
final class GenerationJobTests: XCTestCase {
    static let checkpoint = DiffusionUpscaleTests.checkpoint
    static let controlNet = DiffusionUpscaleTests.controlNet
    static let pipeline = Result { StableDiffusionPipeline(model: try StableDiffusionModel(path: checkpoint)) }

    static func settings(_ mode: GenerationJobSettings.Mode, seed: Int64 = 7) -> GenerationJobSettings {
        var settings = GenerationJobSettings(mode: mode, checkpoint: checkpoint)
        settings.prompt = "a lighthouse, (stormy sea:1.2)"
        settings.negativePrompt = "blurry"
        settings.steps = 4
        settings.seed = seed
        settings.width = 64
        settings.height = 64
        return settings
    }

    /// The same job as the CLI builds it in one process (field by field, not through the job settings).
    static func oneProcessRequest(seed: Int64 = 7) -> GenerationRequest {
        var request = GenerationRequest()
        request.sampler = "DPM++ 2M"  // A1111's UI default, which `tessera txt2img` and job files use
        request.prompt = "a lighthouse, (stormy sea:1.2)"
        request.negativePrompt = "blurry"
        request.steps = 4
        request.seed = seed
        request.width = 64
        request.height = 64
        return request
    }

    /// The PNG file one process writes for `request` (`tessera txt2img|img2img|inpaint -o …`).
    func oneProcessPNG(_ request: GenerationRequest, dir: String) throws -> Data {
        let result = try Self.pipeline.get().generate(request)
        let path = dir + "/reference-\(UUID().uuidString).png"
        try GenerationInfotext.writePNG(result.image, parameters: result.parameters, to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// A coordinator and `workers` diffusion workers in this process; stopped when the test ends.
    func startCluster(dir: String, workers count: Int = 2) throws -> ClusterClient {
        let coordinator = Coordinator(
            config: ClusterTestSupport.config(stateDir: dir + "/state"), logger: ClusterTestSupport.quietLogger)
        let endpoints = try coordinator.start()
        let workers = try (0..<count).map { n in
            Worker(
                options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "w\(n)"),
                renderer: RoutingTileRenderer([ClassicalTileRenderer(), try DiffusionUpscaleTests.workerRenderer()]),
                logger: ClusterTestSupport.quietLogger)
        }
        workers.forEach { $0.start() }
        addTeardownBlock { coordinator.requestStop(); coordinator.waitUntilStopped() }
        addTeardownBlock {
            workers.forEach { $0.requestStop() }
            workers.forEach { $0.waitUntilStopped(timeoutSeconds: 20) }
        }
        return try ClusterClient(endpoint: endpoints.client)
    }

    func run(_ client: ClusterClient, _ settings: GenerationJobSettings, png: Data? = nil, mask: Data? = nil) throws -> Data {
        let id = try client.submit(png: png, spec: .generation(settings), mask: mask)
        let final = try client.watch(jobId: id, giveUpSeconds: 120) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message)
        return try client.fetch(jobId: id)
    }

    func testATxt2imgJobGivesTheSamePNGFileAsOneProcess() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let client = try startCluster(dir: dir)
        let output = try run(client, Self.settings(.txt2img))
        XCTAssertEqual(output, try oneProcessPNG(Self.oneProcessRequest(), dir: dir), "pixels and parameters text, byte for byte")
        let parameters = try XCTUnwrap(PNGImage.read(data: [UInt8](output), name: "output").parameters)
        XCTAssertTrue(parameters.hasPrefix("a lighthouse, (stormy sea:1.2)\nNegative prompt: blurry\nSteps: 4, Sampler: DPM++ 2M, Schedule type: Automatic"), parameters)
        XCTAssertTrue(parameters.contains("Seed: 7, Size: 64x64, Model hash: "), parameters)
    }

    func testAnImg2imgJobWithAControlNetUnitOnTheInitImageMatchesOneProcess() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let client = try startCluster(dir: dir)
        let source = ClusterTestSupport.testImage(width: 96, height: 64)
        var settings = Self.settings(.img2img)
        settings.denoisingStrength = 0.6
        settings.resizeMode = 1
        settings.width = 80
        settings.sampler = "DPM++ 2M"
        settings.scheduler = "karras"
        settings.controlNets = [GenerationControlNetSettings(
            model: Self.controlNet, module: "tile_resample", weight: 0.7, guidanceEnd: 0.5,
            controlMode: "My prompt is more important")]
        let output = try run(client, settings, png: ClusterTestSupport.pngData(source, in: dir))

        var request = Self.oneProcessRequest()
        request.mode = .img2img(initImage: source)
        request.denoisingStrength = 0.6
        request.resizeMode = .cropAndResize
        request.width = 80
        request.sampler = "DPM++ 2M"
        request.scheduler = "karras"
        request.controlNets = [ControlNetUnit(
            model: Self.controlNet, module: "tile_resample", weight: 0.7, guidanceEnd: 0.5,
            controlMode: .promptMoreImportant)]
        XCTAssertEqual(output, try oneProcessPNG(request, dir: dir))
        let image = try PNGImage.read(data: [UInt8](output), name: "output")
        XCTAssertEqual([image.width, image.height], [80, 64])
        let parameters = try XCTUnwrap(image.parameters)
        XCTAssertTrue(parameters.contains("ControlNet 0: \"Module: tile_resample, Model: controlnet_ldm_fp16"), parameters)
    }

    func testAnInpaintJobMatchesOneProcessAndKeepsUnmaskedPixels() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let client = try startCluster(dir: dir, workers: 1)
        let source = ClusterTestSupport.testImage(width: 64, height: 64)
        var maskPixels = [UInt8](repeating: 255, count: 64 * 64 * 4)
        for y in 0..<64 { for x in 0..<64 where !(16..<40).contains(x) || !(20..<44).contains(y) {
            let i = (y * 64 + x) * 4
            maskPixels[i] = 0; maskPixels[i + 1] = 0; maskPixels[i + 2] = 0
        } }
        let mask = try RGBAImage(width: 64, height: 64, pixels: maskPixels)
        var settings = Self.settings(.inpaint)
        settings.maskBlur = 2
        settings.inpaintFullRes = true
        settings.inpaintFullResPadding = 8
        settings.inpaintingFill = 0
        let output = try run(
            client, settings, png: ClusterTestSupport.pngData(source, in: dir), mask: ClusterTestSupport.pngData(mask, in: dir))

        var request = Self.oneProcessRequest()
        request.mode = .inpaint(initImage: source, mask: mask)
        request.maskBlur = 2
        request.inpaintFullRes = true
        request.inpaintFullResPadding = 8
        request.inpaintingFill = .fill
        XCTAssertEqual(output, try oneProcessPNG(request, dir: dir))
        let image = try PNGImage.read(data: [UInt8](output), name: "output").rgba8
        XCTAssertEqual(image.pixels[0..<4], source.pixels[0..<4], "far from the mask the init image is kept")
        XCTAssertNotEqual(image, source)
    }

    func testATxt2imgJobWithACannyUnitOnItsOwnImageMatchesOneProcess() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let client = try startCluster(dir: dir, workers: 1)
        let edgesPath = dir + "/edges.png"
        try ClusterTestSupport.testImage(width: 64, height: 64).writePNG(to: edgesPath, format: .rgb8)
        var settings = Self.settings(.txt2img)
        settings.controlNets = [GenerationControlNetSettings(
            model: Self.controlNet, module: "canny", weight: 0.9, thresholdA: 50, thresholdB: 150, image: "edges.png")]
        let id = try client.submit(
            png: nil, spec: .generation(settings), hints: [Data(contentsOf: URL(fileURLWithPath: edgesPath))])
        XCTAssertEqual(try client.watch(jobId: id, giveUpSeconds: 120) { _, _ in }.state, .done)

        var request = Self.oneProcessRequest()
        request.controlNets = [ControlNetUnit(
            model: Self.controlNet, module: "canny", weight: 0.9, thresholdA: 50, thresholdB: 150, imagePath: edgesPath)]
        XCTAssertEqual(try client.fetch(jobId: id), try oneProcessPNG(request, dir: dir))

        XCTAssertThrowsError(try client.submit(png: nil, spec: .generation(settings))) { error in
            XCTAssertTrue("\(error)".contains("1 unit(s) have an image but the job carries 0 hint image(s)"), "\(error)")
        }
        XCTAssertThrowsError(try client.submit(png: nil, spec: .generation(settings), hints: [Data("not a png".utf8)])) { error in
            XCTAssertTrue("\(error)".contains("generation.controlnet[0].image"), "\(error)")
        }
    }

    func testAQueuedInpaintJobWithAControlImageSurvivesACoordinatorRestart() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let config = ClusterTestSupport.config(stateDir: dir + "/state")
        let source = ClusterTestSupport.testImage(width: 64, height: 64)
        var maskPixels = [UInt8](repeating: 0, count: 64 * 64 * 4)
        for i in stride(from: 0, to: maskPixels.count, by: 4) where (i / 4) % 64 >= 32 {
            maskPixels[i] = 255; maskPixels[i + 1] = 255; maskPixels[i + 2] = 255
        }
        for i in stride(from: 3, to: maskPixels.count, by: 4) { maskPixels[i] = 255 }
        let mask = try RGBAImage(width: 64, height: 64, pixels: maskPixels)
        let hintPath = dir + "/scribble.png"
        try ClusterTestSupport.testImage(width: 48, height: 48).writePNG(to: hintPath, format: .rgb8)
        var settings = Self.settings(.inpaint)
        settings.controlNets = [GenerationControlNetSettings(model: Self.controlNet, module: "invert", image: "scribble.png")]

        // Submitted while no worker is connected, then the coordinator stops: the job waits in the store.
        let first = Coordinator(config: config, logger: ClusterTestSupport.quietLogger)
        let id = try ClusterClient(endpoint: try first.start().client).submit(
            png: ClusterTestSupport.pngData(source, in: dir), spec: .generation(settings),
            mask: ClusterTestSupport.pngData(mask, in: dir), hints: [Data(contentsOf: URL(fileURLWithPath: hintPath))])
        first.requestStop()
        first.waitUntilStopped()

        let second = Coordinator(config: config, logger: ClusterTestSupport.quietLogger)
        let endpoints = try second.start()
        addTeardownBlock { second.requestStop(); second.waitUntilStopped() }
        let worker = Worker(
            options: WorkerOptions(coordinator: endpoints.worker, threads: 1, workerId: "w"),
            renderer: RoutingTileRenderer([try DiffusionUpscaleTests.workerRenderer()]), logger: ClusterTestSupport.quietLogger)
        worker.start()
        addTeardownBlock { worker.requestStop(); worker.waitUntilStopped(timeoutSeconds: 20) }
        let client = try ClusterClient(endpoint: endpoints.client)
        let final = try client.watch(jobId: id, giveUpSeconds: 120) { _, _ in }
        XCTAssertEqual(final.state, .done, final.message)

        var request = Self.oneProcessRequest()
        request.mode = .inpaint(initImage: source, mask: mask)
        request.controlNets = [ControlNetUnit(model: Self.controlNet, module: "invert", imagePath: hintPath)]
        XCTAssertEqual(try client.fetch(jobId: id), try oneProcessPNG(request, dir: dir))
    }

    func testAJobFileBatchIsOneJobPerImageWithA1111Seeds() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let file = dir + "/batch.toml"
        try """
            [generation]
            checkpoint = "\(Self.checkpoint)"
            prompt = "a lighthouse, (stormy sea:1.2)"
            negative_prompt = "blurry"
            steps = 4
            width = 64
            height = 64
            seed = 7
            n_iter = 2
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let jobFile = try JobFile.load(path: file)
        XCTAssertNil(jobFile.input)
        XCTAssertEqual(jobFile.generation?.mode, .txt2img, "no input and no mask: txt2img")
        let jobs = try jobFile.jobs()
        XCTAssertEqual(jobs.map { $0.generation!.seed }, [7, 8])
        XCTAssertEqual(jobs.map { $0.generation!.batchCount }, [1, 1])

        let client = try startCluster(dir: dir)
        let ids = try jobs.map { try client.submit(png: nil, spec: $0) }
        var batch = Self.oneProcessRequest()
        batch.batchCount = 2
        let inOneProcess = try Self.pipeline.get().generateImages(batch)
        for (k, id) in ids.enumerated() {
            XCTAssertEqual(try client.watch(jobId: id, giveUpSeconds: 120) { _, _ in }.state, .done)
            let image = try PNGImage.read(data: [UInt8](client.fetch(jobId: id)), name: "output")
            XCTAssertEqual(image.rgba8, inOneProcess[k].image, "image \(k) of the batch")
            XCTAssertEqual(image.parameters, inOneProcess[k].parameters.infotext.text)
        }
    }

    func testVariationSeedsOfABatchCountUpWhileTheSeedStays() throws {
        var settings = Self.settings(.txt2img, seed: 100)
        settings.subseed = 5
        settings.subseedStrength = 0.3
        settings.batchSize = 2
        settings.batchCount = 2
        let images = try settings.splitIntoImages()
        XCTAssertEqual(images.map(\.seed), [100, 100, 100, 100])
        XCTAssertEqual(images.map(\.subseed), [5, 6, 7, 8])
        var random = Self.settings(.txt2img, seed: -1)
        random.batchCount = 3
        let drawn = try random.splitIntoImages().map(\.seed)
        XCTAssertGreaterThanOrEqual(drawn[0], 0, "-1 is drawn once")
        XCTAssertEqual(drawn, [drawn[0], drawn[0] + 1, drawn[0] + 2])
    }

    func testAGenerationJobNeedsItsModelsOnTheWorker() {
        var settings = Self.settings(.img2img)
        settings.prompt = "a boat <lora:film_grain:0.6>"
        settings.vae = "kl-f8-anime"
        settings.controlNets = [GenerationControlNetSettings(model: "control_v11p_sd15_canny", module: "canny")]
        let spec = UpscaleJobSpec.generation(settings)
        XCTAssertEqual(spec.tileRendererName, "generate")
        XCTAssertEqual(spec.modelRequirements.map(\.description), [
            "checkpoint \"\(Self.checkpoint)\"", "vae \"kl-f8-anime\"", "controlnet \"control_v11p_sd15_canny\"",
            "lora \"film_grain\"",
        ])
    }

    func testAMaskOfTheWrongSizeIsRefusedAtSubmitNamingTheMask() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        let client = try startCluster(dir: dir, workers: 1)
        let source = ClusterTestSupport.testImage(width: 64, height: 64)
        let mask = ClusterTestSupport.testImage(width: 32, height: 32)
        XCTAssertThrowsError(try client.submit(
            png: ClusterTestSupport.pngData(source, in: dir), spec: .generation(Self.settings(.inpaint)),
            mask: ClusterTestSupport.pngData(mask, in: dir))
        ) { error in
            XCTAssertTrue("\(error)".contains("generation.mask: is 32x32 but the init image is 64x64"), "\(error)")
        }
        XCTAssertThrowsError(try client.submit(png: nil, spec: .generation(Self.settings(.img2img)))) { error in
            XCTAssertTrue("\(error)".contains("an img2img job needs an init image"), "\(error)")
        }
    }

    // MARK: Job files

    func jobFileError(_ body: String, input: Bool = false, mask: Bool = false) -> String {
        let dir = NSTemporaryDirectory() + "tessera-genjob-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var text = input ? "input = \"in.png\"\n" : ""
        if mask { text += "mask = \"mask.png\"\n" }
        try? (text + body).write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)
        do {
            _ = try JobFile.load(path: dir + "/job.toml")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testJobFileMistakesAreOneErrorNamingTheField() {
        XCTAssertTrue(jobFileError("[generation]\nprompt = \"x\"\n").contains("generation.checkpoint: missing"))
        let misspelt = jobFileError("[generation]\ncheckpoint = \"m\"\nsampler = \"Euler\"\n")
        XCTAssertTrue(misspelt.contains("generation.sampler: unknown key; did you mean sampler_name? known: "), misspelt)
        let sampler = jobFileError("[generation]\ncheckpoint = \"m\"\nsampler_name = \"Euler z\"\n")
        XCTAssertTrue(sampler.contains("generation.sampler_name") && sampler.contains("DPM++ 2M"), sampler)
        XCTAssertTrue(jobFileError("[generation]\ncheckpoint = \"m\"\nmode = \"txt2img\"\n", input: true)
            .contains("input: a txt2img job takes no init image"))
        XCTAssertTrue(jobFileError("[generation]\ncheckpoint = \"m\"\nmode = \"inpaint\"\n", input: true)
            .contains("mask: missing"))
        XCTAssertTrue(jobFileError("[job]\nscale = 4\n[generation]\ncheckpoint = \"m\"\n")
            .contains("takes only `priority` in [job]"))
        let controlNet = jobFileError("[generation]\ncheckpoint = \"m\"\n[[generation.controlnet]]\nmodel = \"c\"\n")
        XCTAssertTrue(controlNet.contains("generation.controlnet[0]: needs an image: a txt2img job has no init image"), controlNet)
        let module = jobFileError("[generation]\ncheckpoint = \"m\"\n[[generation.controlnet]]\nmodel = \"c\"\nmodule = \"depth_zoe\"\n", input: true)
        XCTAssertTrue(module.contains("generation.controlnet[0]") && module.contains("depth_zoe"), module)
        let steps = jobFileError("[generation]\ncheckpoint = \"m\"\nsteps = 0\n")
        XCTAssertTrue(steps.contains("generation.steps: must be in 1...150, got 0"), steps)
        XCTAssertTrue(jobFileError("[generation]\ncheckpoint = \"m\"\ninpaint_full_res = 2\n", input: true, mask: true)
            .contains("generation.inpaint_full_res: must be 0, 1, true or false, got 2"))
    }

    func testAJobFileInfersTheModeAndReadsA1111APIValues() throws {
        let dir = ClusterTestSupport.temporaryDirectory(self)
        try """
            input = "photo.png"
            mask = "mask.png"
            [job]
            priority = 80
            [generation]
            checkpoint = "v1-5-pruned-emaonly"
            inpaint_full_res = 1
            inpainting_mask_invert = 0
            inpainting_fill = 2
            cfg_scale = 5
            CLIP_stop_at_last_layers = 2
            [[generation.controlnet]]
            model = "control_v11f1e_sd15_tile"
            module = "tile_resample"
            control_mode = 2
            image = "hints/pose.png"
            """.write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)
        let file = try JobFile.load(path: dir + "/job.toml")
        let settings = try XCTUnwrap(file.generation)
        XCTAssertEqual(settings.mode, .inpaint)
        XCTAssertEqual(file.input, dir + "/photo.png")
        XCTAssertEqual(file.mask, dir + "/mask.png")
        XCTAssertEqual(file.spec.priority, 80)
        XCTAssertTrue(settings.inpaintFullRes)
        XCTAssertFalse(settings.inpaintingMaskInvert)
        XCTAssertEqual(settings.inpaintingFill, 2)
        XCTAssertEqual(settings.cfgScale, 5)
        XCTAssertEqual(settings.clipSkip, 2)
        let unit = try settings.controlNets[0].unit(modelPath: "/m/tile.safetensors")
        XCTAssertEqual(unit.controlMode, .controlNetMoreImportant)
        XCTAssertEqual(unit.resizeMode, .cropAndResize)
        XCTAssertEqual(file.hintPaths, [dir + "/hints/pose.png"], "relative to the job file, like input")
        XCTAssertEqual(try file.jobs()[0].generation?.controlNets[0].image, "pose.png", "the job keeps only the name")
    }
}
