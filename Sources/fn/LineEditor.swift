#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads input lines for the REPL: with editing and history when stdin and stdout are a terminal
/// (raw mode over termios, redrawing one line), plain buffered reads otherwise (pipes, files).
final class LineEditor {
    /// What one `readLine` produced.
    enum Input: Equatable {
        case line(String)
        /// Ctrl-C at the prompt: the line is abandoned.
        case interrupted
        /// Ctrl-D on an empty line, or the end of piped input.
        case endOfInput
    }

    /// True when lines are edited in the terminal; false for plain reads.
    let isEditing: Bool
    /// Whether stdin is a terminal (prompts are shown only then).
    let isInteractive: Bool
    private(set) var history: [String] = []
    private let maxHistory = 1000

    private let input: Int32 = 0
    private let output: Int32 = 1
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var sawEnd = false

    init() {
        isInteractive = isatty(0) == 1
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        isEditing = isInteractive && isatty(1) == 1 && term != "dumb"
    }

    /// Reads one line (without its newline), showing `prompt` when interactive.
    func readLine(prompt: String) -> Input {
        fflush(stdout)
        if isEditing, let raw = RawMode(fd: input) {
            defer { raw.restore() }
            return editLine(prompt: prompt)
        }
        if isInteractive {
            fputs(prompt, stdout)
            fflush(stdout)
        }
        return plainLine()
    }

    /// Remembers a line for Up/Down (blank lines and immediate repeats are skipped).
    func addHistory(_ line: String) {
        guard !line.allSatisfy({ $0 == " " || $0 == "\t" }), history.last != line else { return }
        history.append(line)
        if history.count > maxHistory { history.removeFirst(history.count - maxHistory) }
    }

    // MARK: Plain reading

    private func plainLine() -> Input {
        var line: [UInt8] = []
        while true {
            if pendingStart == pending.count {
                switch sawEnd ? .end : fill() {
                case .data: break
                case .interrupted: return .interrupted
                case .end:
                    sawEnd = true
                    return line.isEmpty ? .endOfInput : .line(Self.text(line))
                }
            }
            let byte = pending[pendingStart]
            pendingStart += 1
            if byte == UInt8(ascii: "\n") { return .line(Self.text(line)) }
            line.append(byte)
        }
    }

    private enum Fill { case data, interrupted, end }

    /// Reads more input into `pending`. A signal (Ctrl-C in a terminal without editing) abandons
    /// the line being typed; for piped input it is only a retry.
    private func fill() -> Fill {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR {
                if isInteractive { return .interrupted }
                continue
            }
            guard n > 0 else { return .end }
            pending = Array(buffer[0..<n])
            pendingStart = 0
            return .data
        }
    }

    private static func text(_ bytes: [UInt8]) -> String {
        var bytes = bytes[...]
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Editing

    private enum Key {
        case text(Unicode.Scalar)
        case control(UInt8)
        case left, right, up, down, home, end, delete, wordLeft, wordRight
        case ignored
        case closed
    }

    private func editLine(prompt: String) -> Input {
        var state = EditState(prompt: prompt)
        // The history entry being edited: index `history.count` is the new line; edits to
        // recalled entries are kept while moving so Up then Down does not lose typing.
        var drafts = history + [""]
        var historyIndex = history.count
        refresh(state)
        func recall(_ index: Int) {
            drafts[historyIndex] = String(state.characters)
            historyIndex = index
            state.characters = Array(drafts[index])
            state.cursor = state.characters.count
        }
        while true {
            switch readKey() {
            case .closed:
                return .endOfInput
            case .ignored:
                continue
            case .text(let scalar):
                state.insert(scalar)
            case .control(let byte):
                switch byte {
                case 0x0D, 0x0A:  // Enter
                    state.cursor = state.characters.count
                    refresh(state)
                    write("\r\n")
                    return .line(String(state.characters))
                case 0x03:  // Ctrl-C: abandon the line
                    state.cursor = state.characters.count
                    refresh(state)
                    write("^C\r\n")
                    return .interrupted
                case 0x04:  // Ctrl-D: end of input on an empty line, else delete forward
                    if state.characters.isEmpty {
                        write("\r\n")
                        return .endOfInput
                    }
                    state.deleteForward()
                case 0x01: state.cursor = 0
                case 0x05: state.cursor = state.characters.count
                case 0x02: state.cursor = max(0, state.cursor - 1)
                case 0x06: state.cursor = min(state.characters.count, state.cursor + 1)
                case 0x08, 0x7F: state.deleteBackward()
                case 0x0B: state.characters.removeSubrange(state.cursor...)
                case 0x15:
                    state.characters.removeSubrange(..<state.cursor)
                    state.cursor = 0
                case 0x17: state.deleteWordBackward()
                case 0x0C: write("\u{1B}[H\u{1B}[2J")
                case 0x10: if historyIndex > 0 { recall(historyIndex - 1) }
                case 0x0E: if historyIndex < drafts.count - 1 { recall(historyIndex + 1) }
                case 0x09:  // Tab: indentation (no completion)
                    for _ in 0..<4 { state.insert(" ") }
                default: continue
                }
            case .left: state.cursor = max(0, state.cursor - 1)
            case .right: state.cursor = min(state.characters.count, state.cursor + 1)
            case .home: state.cursor = 0
            case .end: state.cursor = state.characters.count
            case .delete: state.deleteForward()
            case .wordLeft: state.cursor = state.wordStart(before: state.cursor)
            case .wordRight: state.cursor = state.wordEnd(after: state.cursor)
            case .up: if historyIndex > 0 { recall(historyIndex - 1) }
            case .down: if historyIndex < drafts.count - 1 { recall(historyIndex + 1) }
            }
            refresh(state)
        }
    }

    /// Redraws the prompt and line, scrolling horizontally when it is wider than the terminal.
    private func refresh(_ state: EditState) {
        let columns = max(terminalColumns(), 10)
        let promptWidth = Self.width(state.prompt)
        let widths = state.characters.map(Self.width)
        let available = max(columns - promptWidth - 1, 4)
        // The visible window [first, last) of characters holds the cursor.
        var first = 0
        var beforeCursor = widths[..<state.cursor].reduce(0, +)
        while beforeCursor >= available && first < state.cursor {
            beforeCursor -= widths[first]
            first += 1
        }
        var last = first
        var used = 0
        while last < widths.count && used + widths[last] <= available {
            used += widths[last]
            last += 1
        }
        var out = "\r" + state.prompt + String(state.characters[first..<last]) + "\u{1B}[0K\r"
        let cursorColumn = promptWidth + beforeCursor
        if cursorColumn > 0 { out += "\u{1B}[\(cursorColumn)C" }
        write(out)
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(output, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    private func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(output, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    private func readByte() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let n = read(input, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            return n == 1 ? byte : nil
        }
    }

    /// Decodes one key press: a UTF-8 character, a control byte, or an escape sequence.
    private func readKey() -> Key {
        guard let byte = readByte() else { return .closed }
        if byte == 0x1B { return readEscape() }
        if byte < 0x20 || byte == 0x7F { return .control(byte) }
        if byte < 0x80 { return .text(Unicode.Scalar(byte)) }
        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 0
        guard length > 0 else { return .ignored }
        var bytes = [byte]
        for _ in 1..<length {
            guard let next = readByte() else { return .closed }
            bytes.append(next)
        }
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return .text(scalar) }
        return .ignored
    }

    /// `ESC [ ...` (CSI) and `ESC O ...` (SS3) sequences for arrows, Home/End and Delete;
    /// `ESC b` / `ESC f` move by words.
    private func readEscape() -> Key {
        guard let first = readByte() else { return .closed }
        switch first {
        case UInt8(ascii: "b"): return .wordLeft
        case UInt8(ascii: "f"): return .wordRight
        case UInt8(ascii: "O"):
            switch readByte() {
            case UInt8(ascii: "H"): return .home
            case UInt8(ascii: "F"): return .end
            case UInt8(ascii: "C"): return .right
            case UInt8(ascii: "D"): return .left
            case UInt8(ascii: "A"): return .up
            case UInt8(ascii: "B"): return .down
            default: return .ignored
            }
        case UInt8(ascii: "["):
            // Parameters then a final byte in 0x40...0x7E: `ESC [ 3 ~`, `ESC [ 1 ; 5 C`.
            var parameters: [UInt8] = []
            while let b = readByte() {
                if (0x40...0x7E).contains(b) {
                    let modified = parameters.contains(UInt8(ascii: ";"))
                    switch b {
                    case UInt8(ascii: "A"): return .up
                    case UInt8(ascii: "B"): return .down
                    case UInt8(ascii: "C"): return modified ? .wordRight : .right
                    case UInt8(ascii: "D"): return modified ? .wordLeft : .left
                    case UInt8(ascii: "H"): return .home
                    case UInt8(ascii: "F"): return .end
                    case UInt8(ascii: "~"):
                        switch String(decoding: parameters, as: UTF8.self) {
                        case "1", "7": return .home
                        case "4", "8": return .end
                        case "3": return .delete
                        default: return .ignored
                        }
                    default: return .ignored
                    }
                }
                parameters.append(b)
                if parameters.count > 16 { return .ignored }
            }
            return .closed
        default:
            return .ignored
        }
    }

    /// Terminal columns a string takes: wide (CJK, emoji) characters take two, combining marks none.
    static func width(_ text: String) -> Int {
        text.reduce(0) { $0 + width($1) }
    }

    static func width(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let v = scalar.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        if scalar.properties.generalCategory == .nonspacingMark { return 0 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }
}

/// The line being edited: characters (grapheme clusters) and a cursor between them.
private struct EditState {
    let prompt: String
    var characters: [Character] = []
    var cursor = 0

    init(prompt: String) { self.prompt = prompt }

    mutating func insert(_ scalar: Unicode.Scalar) {
        // Rebuilt through String so a combining mark joins the character before it.
        let before = String(characters[..<cursor]) + String(Character(scalar))
        let beforeCharacters = Array(before)
        characters = Array(before + String(characters[cursor...]))
        cursor = min(beforeCharacters.count, characters.count)
    }

    mutating func deleteBackward() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    mutating func deleteWordBackward() {
        let start = wordStart(before: cursor)
        characters.removeSubrange(start..<cursor)
        cursor = start
    }

    /// Where the word before `index` starts (skipping spaces first), like a shell's Ctrl-W.
    func wordStart(before index: Int) -> Int {
        var i = index
        while i > 0 && characters[i - 1] == " " { i -= 1 }
        while i > 0 && characters[i - 1] != " " { i -= 1 }
        return i
    }

    func wordEnd(after index: Int) -> Int {
        var i = index
        while i < characters.count && characters[i] == " " { i += 1 }
        while i < characters.count && characters[i] != " " { i += 1 }
        return i
    }
}

/// The terminal in raw mode (no echo, no line buffering, no signals from keys) until `restore`.
private struct RawMode {
    let fd: Int32
    let saved: termios

    init?(fd: Int32) {
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { return nil }
        var raw = original
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        // Output processing stays on so the program's own "\n" still returns the carriage.
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        // TCSANOW, not TCSAFLUSH: typed-ahead and pasted input must survive the switch.
        guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return nil }
        self.fd = fd
        self.saved = original
    }

    func restore() {
        var original = saved
        tcsetattr(fd, TCSANOW, &original)
    }
}
