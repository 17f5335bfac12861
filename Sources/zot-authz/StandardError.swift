import Foundation

/// Writes text to standard error (a line by default). Shared by every subcommand.
func printError(_ text: String, terminator: String = "\n") {
    FileHandle.standardError.write(Data((text + terminator).utf8))
}
