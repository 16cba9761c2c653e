/// A1111 prompt editing: `[from:to:when]`, `[to:when]`, `[from::when]` and `[a|b|…]`
/// (`get_learned_conditioning_prompt_schedules`), resolved into the distinct prompt texts a
/// sampling run needs and the last step each one is used for.
public struct PromptSchedule: Sendable, Equatable {
    /// One prompt text and the last sampling step (1-based, inclusive) it conditions.
    public struct Entry: Sendable, Equatable {
        public var endAtStep: Int
        public var prompt: String

        public init(endAtStep: Int, prompt: String) {
            self.endAtStep = endAtStep
            self.prompt = prompt
        }
    }

    /// Sorted by `endAtStep`; the last entry ends at the step count.
    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Builds the schedule of `prompt` for `steps` sampling steps.
    ///
    /// - Parameters:
    ///   - hiresSteps: for a hires-fix second pass, its step count; then integer `when`s count
    ///     on from the first pass and fractional ones start at 1.0 (A1111's current timeline).
    ///   - useOldScheduling: A1111's "Use old prompt editing timelines" (`when < 1` is a fraction).
    /// A prompt the grammar cannot parse is used as it is for every step, as in A1111.
    public init(prompt: String, steps: Int, hiresSteps: Int? = nil, useOldScheduling: Bool = false) {
        var parser = ScheduleSyntaxParser(prompt)
        let effectiveSteps = (hiresSteps == nil || useOldScheduling) ? steps : hiresSteps!
        guard let segments = parser.parse() else {
            entries = [Entry(endAtStep: effectiveSteps, prompt: prompt)]
            return
        }
        let timeline = Timeline(steps: effectiveSteps,
                                intOffset: (hiresSteps == nil || useOldScheduling) ? 0 : steps,
                                floatOffset: (hiresSteps == nil || useOldScheduling) ? 0 : 1,
                                useOldScheduling: useOldScheduling)
        var boundaries: Set<Int> = [effectiveSteps]
        timeline.collectBoundaries(segments, into: &boundaries)
        entries = boundaries.sorted().map { step in
            Entry(endAtStep: step, prompt: timeline.text(of: segments, atStep: step))
        }
    }

    /// The prompt text for a model call, chosen as A1111's `reconstruct_cond_batch` does: the
    /// first entry with `step <= endAtStep`, else the last entry.
    ///
    /// To reproduce A1111 pass its denoiser call counter, which starts at **0** for the first
    /// call of a sampling run (img2img included) and counts every model call (two per step
    /// for second-order samplers, whose schedule A1111 builds over the call count). So
    /// `[a:b:3]` conditions calls 0…3 on `a`.
    public func prompt(atStep step: Int) -> String {
        (entries.first { step <= $0.endAtStep } ?? entries[entries.count - 1]).prompt
    }
}

/// How `when` numbers turn into steps, and how segments render at a step.
private struct Timeline {
    let steps: Int
    let intOffset: Int
    let floatOffset: Double
    let useOldScheduling: Bool

    /// A1111: a number with "." is a fraction of the steps, otherwise a step; then
    /// `min(steps, int(v))`.
    func step(forWhen when: String) -> Int {
        var v = Double(when) ?? 0
        if useOldScheduling {
            if v < 1 { v *= Double(steps) }
        } else if when.contains(".") {
            v = (v - floatOffset) * Double(steps)
        } else {
            v -= Double(intOffset)
        }
        // Python's int() truncates toward zero; clamp first so huge exponents cannot trap.
        let truncated = v.rounded(.towardZero)
        if truncated >= Double(steps) { return steps }
        if truncated <= Double(Int32.min) { return Int(Int32.min) }
        return Int(truncated)
    }

    func collectBoundaries(_ segments: [ScheduleSegment], into set: inout Set<Int>) {
        for segment in segments {
            switch segment {
            case .literal:
                break
            case let .scheduled(before, after, when):
                let s = step(forWhen: when)
                if s >= 1 { set.insert(s) }
                if let before { collectBoundaries(before, into: &set) }
                collectBoundaries(after, into: &set)
            case let .alternate(options):
                if steps >= 1 { set.formUnion(1...steps) }
                for option in options { collectBoundaries(option, into: &set) }
            }
        }
    }

    func text(of segments: [ScheduleSegment], atStep stepIndex: Int) -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case let .literal(t):
                out += t
            case let .scheduled(before, after, when):
                out += stepIndex <= step(forWhen: when) ? text(of: before ?? [], atStep: stepIndex) : text(of: after, atStep: stepIndex)
            case let .alternate(options):
                // Python's % is non-negative for a positive divisor.
                let index = ((stepIndex - 1) % options.count + options.count) % options.count
                out += text(of: options[index], atStep: stepIndex)
            }
        }
        return out
    }
}
