import Foundation

/// How schema names become Swift names.
enum Naming {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
        "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default",
        "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch",
        "where", "while", "as", "await", "false", "is", "nil", "self", "super", "throws", "true", "try", "Any",
        "Self", "Type", "Protocol",
    ]

    /// Type names that would shadow what generated code refers to.
    static let reservedTypeNames: Set<String> = [
        "Type", "Protocol", "Self", "Any", "String", "Int", "Bool", "Date", "Decimal", "Data", "Error", "Array",
        "Dictionary", "Optional", "Result", "Never", "JSONValue", "JSONReader", "JSONWriter", "Action",
    ]

    /// `identifier` with backticks if it is a keyword.
    static func escaped(_ identifier: String) -> String {
        keywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    /// `chargingSchedulePeriod` → `ChargingSchedulePeriod`.
    static func upperCamel(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.uppercased() + name.dropFirst()
    }

    /// A lowerCamelCase case name for an enumeration value:
    /// `Energy.Active.Import.Register` → `energyActiveImportRegister`,
    /// `EVConnected` → `evConnected`, `L1-N` → `l1N`, `SHA256` → `sha256`.
    static func caseName(_ raw: String) -> String {
        let words = raw.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        guard !words.isEmpty else { return "empty" }
        var result = lowerFirstWord(words[0])
        for word in words.dropFirst() { result += upperCamel(word) }
        if let first = result.first, first.isNumber { result = "_" + result }
        return result
    }

    private static func lowerFirstWord(_ word: String) -> String {
        let chars = Array(word)
        var run = 0
        while run < chars.count, chars[run].isUppercase || (run > 0 && chars[run].isNumber) { run += 1 }
        if run == 0 { return word }
        if run == chars.count { return word.lowercased() }
        // Keep the last capital of a run before a lowercase letter: `EVConnected` → `evConnected`.
        let lowerCount = chars[run].isLowercase && run > 1 ? run - 1 : run
        return String(chars[..<lowerCount]).lowercased() + String(chars[lowerCount...])
    }

    /// Documentation lines of a schema `description`.
    static func docLines(_ description: String?) -> [String] {
        guard let description else { return [] }
        return description.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
