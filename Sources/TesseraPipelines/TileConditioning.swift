import TesseraPrompt
import TesseraSampling
import TesseraTensor

/// The text conditioning of one prompt as the tiles of a call read it: the contexts of each model call and the
/// weights of its AND parts.
public struct TileConditioning: @unchecked Sendable {
    public let contexts: (Int) throws -> CallContexts
    public let subpromptWeights: [Float]

    public init(contexts: @escaping (Int) throws -> CallContexts, subpromptWeights: [Float]) {
        self.contexts = contexts
        self.subpromptWeights = subpromptWeights
    }

    /// The conditioning of a prompt pair, every distinct text encoded once with `encode` (which may cache).
    public init(prompt: String, negativePrompt: String, steps: Int, encode: (String) throws -> Tensor) throws {
        let plan = try PromptPlan(prompt: prompt, negativePrompt: negativePrompt, steps: steps)
        var encoded: [String: Tensor] = [:]
        for text in plan.distinctTexts { encoded[text] = try encode(text) }
        self.init(contexts: { [encoded] call in
            let texts = plan.texts(atStep: call)
            return CallContexts(conds: texts.positive.map { encoded[$0.text]! }, uncond: encoded[texts.negative]!)
        }, subpromptWeights: plan.positiveParts.map { Float($0.weight) })
    }

    /// One conditioning per region: the job's prompts with the region's appended (`prompt, region prompt`), as the
    /// extension builds them; errors name the region.
    public static func regions(_ regions: [TiledDiffusionRegion], prompt: String, negativePrompt: String, steps: Int,
                               encode: (String) throws -> Tensor) throws -> [TileConditioning] {
        try regions.enumerated().map { index, region in
            do {
                return try TileConditioning(prompt: TiledDiffusionRegion.appended(prompt, region.prompt),
                                            negativePrompt: TiledDiffusionRegion.appended(negativePrompt, region.negativePrompt),
                                            steps: steps, encode: encode)
            } catch let error as PipelineError {
                throw PipelineError("regions[\(index)].prompt", "\(error)")
            }
        }
    }
}

/// A text encoder with a cache, so the job's prompt and its regions' prompts encode each distinct text once.
final class CachingTextEncoder {
    private let conditioner: TextConditioner
    private var cache: [String: Tensor] = [:]

    init(_ conditioner: TextConditioner) { self.conditioner = conditioner }

    func encode(_ text: String) throws -> Tensor {
        if let hit = cache[text] { return hit }
        let encoded = try conditioner.encode([text])[0]
        cache[text] = encoded
        return encoded
    }
}
