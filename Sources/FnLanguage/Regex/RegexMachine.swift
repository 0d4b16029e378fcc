/// A Pike VM: runs a RegexProgram over UTF-8 text with all threads in lockstep, one scalar at a time.
///
/// Each position adds each instruction to the thread list at most once, so a search takes at most
/// (program size) x (text length + 1) thread steps, whatever the pattern: no backtracking, no blow-up.
/// Threads are kept in priority order; `steps` counts the work so tests can check that bound.
///
/// A machine holds its scratch memory, one allocation sized from the program, and is reused for every
/// search of one builtin call; it is not thread-safe (the compiled RegexProgram is, and is what the
/// cache shares).
final class RegexMachine {
    /// How a search decides between matches.
    enum Mode {
        /// Any match will do (`grepl`): stop at the first one found.
        case exists
        /// The program's own rule: leftmost-longest or leftmost-first.
        case best
    }

    let program: RegexProgram
    /// Thread steps taken so far (instructions visited while adding threads, plus threads advanced).
    private(set) var steps = 0
    /// Capture slots of the last successful search: byte offsets, -1 for a group that did not take part.
    /// Valid while the machine lives.
    var slots: UnsafeBufferPointer<Int> { UnsafeBufferPointer(start: slotValues, count: slotCount) }

    /// Set while an interpreter runs the machine: a deadline stops a long search or a long run
    /// of searches (`gsub` over a large text), checked every `checkInterval` positions.
    var cancellation: CancellationFlag?
    /// True once the cancellation was seen; every search then finds nothing.
    private(set) var cancelled = false
    private var untilCheck = RegexMachine.checkInterval
    private static let checkInterval = 4096

    /// Two per tracked group, plus two for the whole match.
    private let slotCount: Int
    private var current: ThreadList
    private var next: ThreadList
    /// The generation in which each instruction was last added to a list: marks are never cleared.
    private let marks: UnsafeMutablePointer<Int>
    private var generation = 0
    /// The captures of the thread being added.
    private let work: UnsafeMutablePointer<Int>
    private let slotValues: UnsafeMutablePointer<Int>
    /// `addThread`'s pending work, two words a frame: `(pc, 0)` visits pc, `(-1 - k, v)` puts v back
    /// in work[k]. Each instruction is visited once per call and pushes at most two frames, so
    /// 2 x (program size) + 1 frames always fit.
    private let stack: UnsafeMutablePointer<Int>
    /// The one allocation the pointers above point into.
    private let memory: UnsafeMutablePointer<Int>

    private struct ThreadList {
        let pcs: UnsafeMutablePointer<Int>
        /// `slotCount` words per thread.
        let caps: UnsafeMutablePointer<Int>
        var count = 0
    }

    /// A machine for `program` that tracks the first `groups` groups (`sub` needs those its
    /// replacement names; `0` tracks only the whole match, which is cheapest).
    init(_ program: RegexProgram, groups: Int) {
        self.program = program
        let slotCount = 2 * (min(max(groups, 0), program.slotCount / 2 - 1) + 1)
        self.slotCount = slotCount
        let size = program.code.count
        let threadWords = size * (1 + slotCount)
        memory = .allocate(capacity: 2 * threadWords + size + 2 * slotCount + 2 * (2 * size + 1))
        current = ThreadList(pcs: memory, caps: memory + size)
        next = ThreadList(pcs: memory + threadWords, caps: memory + threadWords + size)
        marks = memory + 2 * threadWords
        marks.initialize(repeating: -1, count: size)
        work = marks + size
        slotValues = work + slotCount
        work.initialize(repeating: -1, count: 2 * slotCount)
        stack = slotValues + slotCount
    }

    deinit {
        memory.deallocate()
    }

    /// Searches `text` from byte offset `start`; `^` matches only at offset 0 and the assertions see the
    /// text before `start`. Returns the match's byte range; `slots` then holds the groups.
    func search(_ text: UnsafeBufferPointer<UInt8>, from start: Int, mode: Mode = .best) -> Range<Int>? {
        if stopped() { return nil }
        if let literal = program.literal { return searchLiteral(text, from: start, literal) }
        let n = text.count
        let longest = program.longest
        let code = program.code
        var found = false
        var pos = start
        current.count = 0
        generation += 1
        while true {
            if stopped() { return nil }
            if !found && (!program.anchored || pos == 0) {
                if current.count == 0, let first = program.firstASCII {
                    // No thread is alive: skip to the next scalar that can start a match. The marks were
                    // set at the old position (by threads that died at an assertion), so start afresh.
                    pos = skip(text, from: pos, first)
                    if pos >= n { break }
                    generation += 1
                }
                for k in 0..<slotCount { work[k] = -1 }
                work[0] = pos
                addThread(&current, 0, pos, text)
            }
            if current.count == 0 {
                if found || program.anchored || pos >= n { break }
                // Nothing started here: try the next scalar (with fresh marks, the list being empty).
                pos += text[pos] < 0x80 ? 1 : text[pos] < 0xE0 ? 2 : text[pos] < 0xF0 ? 3 : 4
                generation += 1
                continue
            }
            var c: UInt32 = .max
            var after = pos
            if pos < n { (c, after) = decode(text, pos) }
            generation += 1
            next.count = 0
            var i = 0
            threads: while i < current.count {
                let pc = current.pcs[i]
                let base = i * slotCount
                i += 1
                steps += 1
                if found && longest && current.caps[base] > slotValues[0] { continue }
                let hit: Bool
                switch code[pc] {
                case .scalar(let x): hit = c == x
                case .either(let x, let y): hit = c == x || c == y
                case .any: hit = c != .max
                case .anyButNewline: hit = c != .max && c != 10
                case .set(let k):
                    hit = c != .max && program.sets[k].contains(Unicode.Scalar(c) ?? "\u{FFFD}")
                case .match:
                    if mode == .exists {
                        slotValues[0] = current.caps[base]
                        slotValues[1] = pos
                        return slotValues[0]..<pos
                    }
                    let s = current.caps[base]
                    if !found || !longest || s < slotValues[0] || (s == slotValues[0] && pos > slotValues[1]) {
                        for k in 0..<slotCount { slotValues[k] = current.caps[base + k] }
                        slotValues[1] = pos
                        found = true
                    }
                    // Leftmost-first: the threads after this one have lower priority.
                    if !longest { break threads }
                    continue
                default: hit = false
                }
                if hit {
                    for k in 0..<slotCount { work[k] = current.caps[base + k] }
                    addThread(&next, pc + 1, after, text)
                }
            }
            swap(&current, &next)
            if pos >= n { break }
            pos = after
        }
        return found ? slotValues[0]..<slotValues[1] : nil
    }

    /// Counts one unit of work and, every `checkInterval`, reads the cancellation flag.
    @inline(__always) private func stopped() -> Bool {
        untilCheck -= 1
        if untilCheck <= 0 {
            untilCheck = RegexMachine.checkInterval
            if cancellation?.isCancelled == true { cancelled = true }
        }
        return cancelled
    }

    /// Adds the thread at `pc` (with captures `work`) and everything it reaches without consuming input.
    private func addThread(_ list: inout ThreadList, _ pc: Int, _ pos: Int, _ text: UnsafeBufferPointer<UInt8>) {
        var top = 0
        @inline(__always) func push(_ a: Int, _ b: Int = 0) {
            stack[2 * top] = a
            stack[2 * top + 1] = b
            top += 1
        }
        push(pc)
        while top > 0 {
            top -= 1
            let pc = stack[2 * top]
            if pc < 0 {
                work[-1 - pc] = stack[2 * top + 1]
                continue
            }
            if marks[pc] == generation { continue }
            marks[pc] = generation
            steps += 1
            switch program.code[pc] {
            case .jump(let target):
                // A backward jump closes a `*` loop, whose exit follows it. Back at a loop already entered
                // at this position, the iteration matched the empty string: PCRE then leaves the loop
                // (`regexpr("(|a)*", "a", perl = TRUE)` is empty), so leftmost-first goes on after it.
                // TRE drops that path, which only changes the groups of a leftmost-longest match.
                if target < pc && marks[target] == generation && !program.longest {
                    push(pc + 1)
                } else {
                    push(target)
                }
            case .split(let a, let b):
                push(b)
                push(a)
            case .save(let k):
                if k < slotCount {
                    push(-1 - k, work[k])
                    work[k] = pos
                }
                push(pc + 1)
            case .assert(let a):
                if holds(a, at: pos, text) { push(pc + 1) }
            default:
                let base = list.count * slotCount
                list.pcs[list.count] = pc
                for k in 0..<slotCount { list.caps[base + k] = work[k] }
                list.count += 1
            }
        }
    }

    private func holds(_ a: RegexAssertion, at pos: Int, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = text.count
        switch a {
        case .start: return pos == 0
        case .end: return pos == n
        case .endOrFinalNewline: return pos == n || (pos == n - 1 && text[pos] == 10)
        default:
            let before = pos > 0 && isWord(previous(text, pos))
            let after = pos < n && isWord(decode(text, pos).0)
            switch a {
            case .wordBoundary: return before != after
            case .notWordBoundary: return before == after
            case .wordStart: return !before && after
            default: return before && !after
            }
        }
    }

    private func isWord(_ c: UInt32) -> Bool {
        guard let s = Unicode.Scalar(c) else { return false }
        return program.word.contains(s)
    }

    private func skip(_ text: UnsafeBufferPointer<UInt8>, from start: Int, _ first: (UInt64, UInt64)) -> Int {
        var pos = start
        let n = text.count
        let nonASCII = program.firstNonASCII
        while pos < n {
            let b = text[pos]
            if b < 64 {
                if first.0 & (1 << UInt64(b)) != 0 { return pos }
            } else if b < 128 {
                if first.1 & (1 << UInt64(b - 64)) != 0 { return pos }
            } else if b >= 0xC0 && nonASCII {
                return pos
            }
            pos += 1
        }
        return n
    }

    private func searchLiteral(_ text: UnsafeBufferPointer<UInt8>, from start: Int, _ literal: [UInt8]) -> Range<Int>? {
        let n = text.count, m = literal.count
        guard m <= n - start else { return nil }
        let fallback = program.literalFallback
        let head = literal[0]
        var pos = start
        var k = 0  // literal bytes matched so far, ending at `pos`
        while pos < n {
            if k == 0 {
                // Nothing matched yet: skip to the literal's first byte.
                while pos < n && text[pos] != head { pos += 1 }
                guard pos < n else { return nil }
            }
            let b = text[pos]
            while k > 0 && literal[k] != b { k = fallback[k - 1] }
            if literal[k] == b { k += 1 }
            pos += 1
            if k == m {
                steps += 1
                slotValues[0] = pos - m
                slotValues[1] = pos
                return (pos - m)..<pos
            }
        }
        return nil
    }
}

/// Decodes the scalar at byte `i` of valid UTF-8: its value and the offset after it.
@inline(__always)
func decode(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
    let b0 = UInt32(text[i])
    if b0 < 0x80 { return (b0, i + 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F), i + 2) }
    if b0 < 0xF0 {
        return ((b0 & 0x0F) << 12 | UInt32(text[i + 1] & 0x3F) << 6 | UInt32(text[i + 2] & 0x3F), i + 3)
    }
    let v = (b0 & 0x07) << 18 | UInt32(text[i + 1] & 0x3F) << 12 | UInt32(text[i + 2] & 0x3F) << 6
    return (v | UInt32(text[i + 3] & 0x3F), i + 4)
}

/// The scalar that ends just before byte `i` (i > 0).
func previous(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 {
    var j = i - 1
    while j > 0 && text[j] & 0xC0 == 0x80 { j -= 1 }
    return decode(text, j).0
}
