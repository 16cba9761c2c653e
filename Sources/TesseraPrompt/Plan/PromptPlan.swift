/// Everything A1111 derives from a prompt pair before the text encoder runs, in A1111's order:
/// extra-network tags leave the positive prompt (the negative one is not scanned), the positive
/// prompt splits on `AND`, and every part and the negative prompt get their editing schedule.
/// The texts it lists are what `PromptChunker` and the text encoder need, each once.
public struct PromptPlan: Sendable, Equatable {
    /// One `AND` part of the positive prompt.
    public struct Part: Sendable, Equatable {
        /// Weight in the composable-diffusion sum (1.0 without `:weight`).
        public var weight: Double
        public var schedule: PromptSchedule
    }

    /// LoRA/LyCORIS requests, in A1111's activation order.
    public var loras: [LoraReference]
    /// Tags of other kinds (e.g. `hypernet`): removed from the prompt, not acted on.
    public var otherNetworkTags: [ExtraNetworkTag]
    public var positiveParts: [Part]
    public var negative: PromptSchedule

    /// Builds the plan for `steps` sampling steps (see `PromptSchedule` for `hiresSteps`).
    /// Throws for LoRA tags A1111 cannot read (missing name, non-numeric multiplier).
    public init(prompt: String, negativePrompt: String, steps: Int, hiresSteps: Int? = nil) throws {
        let extracted = ExtraNetworkParser.parse(prompt)
        loras = try LoraReference.references(in: extracted.tags)
        otherNetworkTags = extracted.tags.filter { !LoraReference.tagKinds.contains($0.kind) }
        positiveParts = ComposablePrompt(extracted.prompt).parts.map {
            Part(weight: $0.weight, schedule: PromptSchedule(prompt: $0.text, steps: steps, hiresSteps: hiresSteps))
        }
        negative = PromptSchedule(prompt: negativePrompt, steps: steps, hiresSteps: hiresSteps)
    }

    /// Every text to encode (positive schedule texts first, then negative), without repeats.
    public var distinctTexts: [String] {
        var seen: Set<String> = [], out: [String] = []
        let all = positiveParts.flatMap { $0.schedule.entries.map(\.prompt) } + negative.entries.map(\.prompt)
        for text in all where seen.insert(text).inserted { out.append(text) }
        return out
    }

    /// The texts conditioning model call `step` (A1111's 0-based denoiser call counter, see
    /// `PromptSchedule.prompt(atStep:)`): each positive part with its weight, and the negative text.
    public func texts(atStep step: Int) -> (positive: [(text: String, weight: Double)], negative: String) {
        (positiveParts.map { ($0.schedule.prompt(atStep: step), $0.weight) }, negative.prompt(atStep: step))
    }
}
