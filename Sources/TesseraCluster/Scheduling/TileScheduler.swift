/// The coordinator's in-memory dispatch state: which tiles wait, which are leased to whom until when, which workers
/// have free slots (credits) and which are blocklisted.
///
/// Pure logic with no I/O and an injected clock, so every policy (priorities, retries on a different worker,
/// blocklisting, lease expiry) is unit-testable. The coordinator mirrors the durable parts into the job store.
public struct TileScheduler: Sendable {
    public struct Policy: Sendable {
        public var maxAttempts: Int
        public var blocklistAfterFailures: Int
        public init(maxAttempts: Int = 3, blocklistAfterFailures: Int = 3) {
            self.maxAttempts = maxAttempts
            self.blocklistAfterFailures = blocklistAfterFailures
        }
    }

    /// A tile handed to a worker, valid until `expires` unless renewed.
    public struct Lease: Sendable, Equatable {
        public var workerId: String
        public var expires: Double
        public var leaseSeconds: Double
        public var attemptRowId: Int64
    }

    struct JobEntry: Sendable {
        var id: String
        var priority: Int
        var seq: Int
        var renderer: String
        /// Models a worker must have to take this job's tiles.
        var requirements: [ModelRequirement] = []
        var tileCount: Int
        /// Pending tiles, next one LAST (popping from the end is O(1); retries are appended so they go first).
        var pending: [Int]
        var leased: [Int: Lease] = [:]
        var done: Set<Int> = []
        var failures: [Int: Int] = [:]
        /// Workers that failed or lost a tile: the retry goes elsewhere when possible.
        var triedBy: [Int: Set<String>] = [:]
        var workerFailures: [String: Int] = [:]
        var blocklist: Set<String> = []
        var paused = false
        /// Tiles that read other tiles' results (causal jobs): a tile waits until all of these are done.
        var dependencies: [Int: [Int]] = [:]
    }

    struct WorkerEntry: Sendable {
        var id: String
        var renderers: Set<String>
        var models = ModelInventory()
        var credits: Int
        var lastSeen: Double
        var leases: Set<TileKey> = []
        var draining = false
    }

    /// What happened to a tile whose attempt did not succeed.
    public enum FailureOutcome: Sendable, Equatable {
        /// Back in the queue; `blocklisted` is set when this failure got the worker blocklisted for the job.
        case requeued(blocklisted: Bool)
        /// The tile used up its attempts: the job must fail with this reason.
        case jobFailed(reason: String)
        /// The tile was not leased (stale report); nothing changed.
        case ignored
    }

    public let policy: Policy
    private(set) var jobs: [String: JobEntry] = [:]
    private(set) var workers: [String: WorkerEntry] = [:]
    /// Job ids by dispatch preference: priority descending, then submission order.
    private var jobOrder: [String] = []

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    // MARK: Jobs

    /// Adds a job whose `pendingInOrder` tiles are dispatched in that order; `done` tiles are already finished.
    public mutating func addJob(
        id: String, priority: Int, seq: Int, renderer: String, tileCount: Int, pendingInOrder: [Int],
        done: Set<Int> = [], failures: [Int: Int] = [:], blocklist: Set<String> = [], dependencies: [Int: [Int]] = [:],
        requirements: [ModelRequirement] = []
    ) {
        var entry = JobEntry(
            id: id, priority: priority, seq: seq, renderer: renderer, requirements: requirements, tileCount: tileCount,
            pending: pendingInOrder.reversed())
        entry.done = done
        entry.failures = failures
        entry.blocklist = blocklist
        entry.dependencies = dependencies.filter { !$0.value.isEmpty }
        jobs[id] = entry
        jobOrder.append(id)
        jobOrder.sort { a, b in
            let ja = jobs[a]!, jb = jobs[b]!
            return ja.priority != jb.priority ? ja.priority > jb.priority : ja.seq < jb.seq
        }
    }

    /// Removes a job (finished, failed or cancelled); returns the leases it still had, so their workers can be told.
    @discardableResult
    public mutating func removeJob(_ id: String) -> [TileKey: Lease] {
        guard let job = jobs.removeValue(forKey: id) else { return [:] }
        jobOrder.removeAll { $0 == id }
        var released: [TileKey: Lease] = [:]
        for (index, lease) in job.leased {
            let key = TileKey(jobId: id, index: index)
            workers[lease.workerId]?.leases.remove(key)
            released[key] = lease
        }
        return released
    }

    public func hasJob(_ id: String) -> Bool { jobs[id] != nil }
    public func doneCount(of id: String) -> Int { jobs[id]?.done.count ?? 0 }
    public func isComplete(_ id: String) -> Bool {
        guard let job = jobs[id] else { return false }
        return job.done.count == job.tileCount
    }
    public func isDone(_ key: TileKey) -> Bool { jobs[key.jobId]?.done.contains(key.index) ?? false }
    public func lease(of key: TileKey) -> Lease? { jobs[key.jobId]?.leased[key.index] }
    public func leasedCount(of id: String) -> Int { jobs[id]?.leased.count ?? 0 }
    /// Tiles that have had at least one failed or lost attempt.
    public func retriedCount(of id: String) -> Int { jobs[id]?.failures.values.filter { $0 > 0 }.count ?? 0 }
    public func blocklist(of id: String) -> Set<String> { jobs[id]?.blocklist ?? [] }

    // MARK: Workers

    /// Registers (or re-registers) a worker with `freeSlots` credits and the models it advertised.
    public mutating func registerWorker(
        id: String, renderers: Set<String>, models: ModelInventory = ModelInventory(), freeSlots: Int, now: Double
    ) {
        var entry = workers[id] ?? WorkerEntry(id: id, renderers: renderers, credits: 0, lastSeen: now)
        entry.renderers = renderers
        entry.models = models
        entry.credits = max(0, freeSlots)
        entry.lastSeen = now
        entry.draining = false
        workers[id] = entry
    }

    public func isRegistered(_ id: String) -> Bool { workers[id] != nil }
    public var workerIds: [String] { workers.keys.sorted() }
    public func credits(of id: String) -> Int { workers[id]?.credits ?? 0 }
    public func leases(of workerId: String) -> Set<TileKey> { workers[workerId]?.leases ?? [] }

    /// The worker asked for `credits` more tiles.
    public mutating func addCredits(worker id: String, _ credits: Int, now: Double) {
        guard workers[id] != nil else { return }
        workers[id]!.credits = max(0, min(workers[id]!.credits + credits, 1024))
        workers[id]!.lastSeen = now
    }

    /// Any sign of life from a worker.
    public mutating func touch(worker id: String, now: Double) {
        workers[id]?.lastSeen = now
    }

    /// The worker is draining: it gets no more tiles.
    public mutating func setDraining(worker id: String) {
        workers[id]?.draining = true
        workers[id]?.credits = 0
    }

    /// Removes a worker (dead, or said goodbye); its leases are treated as lost attempts and re-queued.
    public mutating func removeWorker(_ id: String) -> [(TileKey, Lease, FailureOutcome)] {
        guard let worker = workers.removeValue(forKey: id) else { return [] }
        var outcomes: [(TileKey, Lease, FailureOutcome)] = []
        for key in worker.leases.sorted(by: { ($0.jobId, $0.index) < ($1.jobId, $1.index) }) {
            guard let lease = jobs[key.jobId]?.leased[key.index] else { continue }
            outcomes.append((key, lease, fail(key, worker: id, fatal: false, reason: "worker \(id) lost")))
        }
        return outcomes
    }

    /// Workers silent since before `deadline`.
    public func silentWorkers(before deadline: Double) -> [String] {
        workers.values.filter { $0.lastSeen < deadline }.map(\.id).sorted()
    }

    // MARK: Dispatch

    /// True when every tile `key` depends on is done (always true for tiles without dependencies).
    public func dependenciesDone(_ key: TileKey) -> Bool {
        guard let job = jobs[key.jobId] else { return false }
        return (job.dependencies[key.index] ?? []).allSatisfy(job.done.contains)
    }

    /// Picks the next tile for every worker with credits, most-preferred job first. `makeLease` gives the lease
    /// (length, attempt row) for a chosen tile and worker. A tile is only picked once its dependencies are done and
    /// `isReady` accepts it (the coordinator uses that to wait until those results are durable, and until a causal
    /// job's base image is built).
    public mutating func dispatch(
        now: Double, isReady: (TileKey) -> Bool = { _ in true },
        makeLease: (TileKey, String) -> (seconds: Double, attemptRowId: Int64)
    ) -> [(workerId: String, key: TileKey, attempt: Int)] {
        var assigned: [(String, TileKey, Int)] = []
        var progress = true
        // Round-robin over workers one tile at a time, so several idle workers share a job evenly.
        while progress {
            progress = false
            for workerId in workers.keys.sorted() where workers[workerId]!.credits > 0 && !workers[workerId]!.draining {
                guard let key = pickTile(for: workerId, isReady: isReady) else { continue }
                let (seconds, rowId) = makeLease(key, workerId)
                let lease = Lease(workerId: workerId, expires: now + seconds, leaseSeconds: seconds, attemptRowId: rowId)
                jobs[key.jobId]!.leased[key.index] = lease
                workers[workerId]!.leases.insert(key)
                workers[workerId]!.credits -= 1
                assigned.append((workerId, key, (jobs[key.jobId]!.failures[key.index] ?? 0) + 1))
                progress = true
            }
        }
        return assigned
    }

    private mutating func pickTile(for workerId: String, isReady: (TileKey) -> Bool) -> TileKey? {
        guard let worker = workers[workerId] else { return nil }
        for jobId in jobOrder {
            guard let job = jobs[jobId], !job.paused, !job.pending.isEmpty else { continue }
            guard !job.blocklist.contains(workerId), Self.canRender(job, on: worker) else { continue }
            func ready(_ index: Int) -> Bool {
                if let needed = job.dependencies[index], !needed.allSatisfy(job.done.contains) { return false }
                return isReady(TileKey(jobId: jobId, index: index))
            }
            // Latest entries are next; prefer a tile this worker has not failed before.
            var chosen: Int? = nil
            var firstReady: Int? = nil
            for position in stride(from: job.pending.count - 1, through: 0, by: -1) {
                let index = job.pending[position]
                guard ready(index) else { continue }
                if firstReady == nil { firstReady = position }
                if !(job.triedBy[index]?.contains(workerId) ?? false) {
                    chosen = position
                    break
                }
            }
            if chosen == nil, !hasOtherEligibleWorker(than: workerId, for: job) {
                // Nobody else can take it: retrying on the same worker beats stalling forever.
                chosen = firstReady
            }
            guard let position = chosen else { continue }
            let index = jobs[jobId]!.pending.remove(at: position)
            return TileKey(jobId: jobId, index: index)
        }
        return nil
    }

    private func hasOtherEligibleWorker(than workerId: String, for job: JobEntry) -> Bool {
        workers.values.contains {
            $0.id != workerId && !$0.draining && !job.blocklist.contains($0.id) && Self.canRender(job, on: $0)
        }
    }

    /// The worker offers the job's renderer and has every model the job names.
    private static func canRender(_ job: JobEntry, on worker: WorkerEntry) -> Bool {
        worker.renderers.contains(job.renderer) && job.requirements.allSatisfy(worker.models.has)
    }

    /// Why no registered worker can take job `id`'s tiles: the renderer nobody offers, the models no worker
    /// offering the renderer has (fewest missing first), or — when some workers could — that every one of them is
    /// blocklisted for the job (their ids). Nil when some worker could take it, or the job is unknown.
    public func unmetNeeds(of id: String) -> (renderer: String?, models: [ModelRequirement], blocklisted: [String])? {
        guard let job = jobs[id] else { return nil }
        let offering = workers.filter { $0.value.renderers.contains(job.renderer) }
        guard !offering.isEmpty else { return (job.renderer, [], []) }
        let missing = offering.values.map { $0.models.missing(job.requirements) }
        guard let fewest = missing.min(by: { $0.count < $1.count }) else { return nil }
        guard fewest.isEmpty else { return (nil, fewest, []) }
        let able = offering.filter { job.requirements.allSatisfy($0.value.models.has) }.keys
        guard !job.pending.isEmpty, able.allSatisfy(job.blocklist.contains) else { return nil }
        return (nil, [], able.sorted())
    }

    // MARK: Outcomes

    /// Renews the lease of a tile the worker reports progress on; returns false when it holds no such lease.
    @discardableResult
    public mutating func renew(_ key: TileKey, worker workerId: String, now: Double) -> Bool {
        guard let lease = jobs[key.jobId]?.leased[key.index], lease.workerId == workerId else { return false }
        jobs[key.jobId]!.leased[key.index]!.expires = now + lease.leaseSeconds
        return true
    }

    /// Records a finished tile. Returns the lease it ended (if the sender held one) and whether it was new: a
    /// result for an already-done tile is a duplicate the caller compares and drops. A result from a worker that
    /// does not (or no longer) hold the lease is still accepted: rendering is deterministic, so any complete result
    /// is as good as the one we were waiting for.
    public mutating func complete(_ key: TileKey, worker workerId: String) -> (isNew: Bool, endedLease: Lease?) {
        guard jobs[key.jobId] != nil else { return (false, nil) }
        if jobs[key.jobId]!.done.contains(key.index) { return (false, nil) }
        let lease = jobs[key.jobId]!.leased.removeValue(forKey: key.index)
        if let lease { workers[lease.workerId]?.leases.remove(key) }
        jobs[key.jobId]!.pending.removeAll { $0 == key.index }
        jobs[key.jobId]!.done.insert(key.index)
        return (true, lease)
    }

    /// Undoes `complete` for a tile whose result could not be stored: it is pending again (first in line).
    public mutating func reopen(_ key: TileKey) {
        guard jobs[key.jobId]?.done.remove(key.index) != nil else { return }
        jobs[key.jobId]!.pending.append(key.index)
    }

    /// Records a failed or lost attempt of a leased tile.
    public mutating func fail(_ key: TileKey, worker workerId: String, fatal: Bool, reason: String = "lost")
        -> FailureOutcome
    {
        guard var job = jobs[key.jobId], let lease = job.leased[key.index], lease.workerId == workerId else {
            return .ignored
        }
        job.leased.removeValue(forKey: key.index)
        workers[workerId]?.leases.remove(key)
        let failures = (job.failures[key.index] ?? 0) + 1
        job.failures[key.index] = failures
        job.triedBy[key.index, default: []].insert(workerId)
        let workerFailures = (job.workerFailures[workerId] ?? 0) + 1
        job.workerFailures[workerId] = workerFailures
        var blocklisted = false
        if workerFailures >= policy.blocklistAfterFailures && !job.blocklist.contains(workerId) {
            job.blocklist.insert(workerId)
            blocklisted = true
        }
        if fatal || failures >= policy.maxAttempts {
            job.paused = true
            jobs[key.jobId] = job
            return .jobFailed(
                reason: fatal
                    ? "tile \(key.index): \(reason)"
                    : "tile \(key.index) failed \(failures) times; last error: \(reason)")
        }
        job.pending.append(key.index)
        jobs[key.jobId] = job
        return .requeued(blocklisted: blocklisted)
    }

    /// Puts a leased tile back in the queue without counting a failure (the worker handed it back while draining,
    /// or lacked the job's source image). Returns false when the worker held no such lease.
    @discardableResult
    public mutating func release(_ key: TileKey, worker workerId: String) -> Bool {
        guard let lease = jobs[key.jobId]?.leased[key.index], lease.workerId == workerId else { return false }
        jobs[key.jobId]!.leased.removeValue(forKey: key.index)
        workers[workerId]?.leases.remove(key)
        jobs[key.jobId]!.pending.append(key.index)
        return true
    }

    /// Leases past their expiry, oldest first. The caller fails each one (and logs why).
    public func expiredLeases(now: Double) -> [(TileKey, Lease)] {
        var expired: [(TileKey, Lease)] = []
        for job in jobs.values {
            for (index, lease) in job.leased where lease.expires < now {
                expired.append((TileKey(jobId: job.id, index: index), lease))
            }
        }
        return expired.sorted { $0.1.expires < $1.1.expires }
    }

    /// Failure count recorded for a tile.
    public func failures(of key: TileKey) -> Int { jobs[key.jobId]?.failures[key.index] ?? 0 }
}
