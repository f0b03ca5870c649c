import ArgumentParser
import Foundation
import LedgerDomain
import LedgerStorage
import LedgerStore

/// A failure the command line reports on standard error with its exit code.
enum Failure: Error {
    case input(InputError)
    case integrity(String)
    case other(String)
}

/// Runs a command body, turning every error into a message on standard error and the
/// contract's exit code (SPEC §5). The store names the argument it refused (`entry`, `seq`,
/// `key file`); `options` says which flag of this command carried each one (`"entry":
/// "--entry"`), so the message names what the operator typed. Errors of an input line keep
/// their field: there it is the event's field, not an option.
func reportingFailures(options: [String: String] = [:], _ body: () throws -> Void) throws {
    do {
        do {
            try body()
        } catch let error as LedgerError {
            guard case .input(let input) = error else { throw error }
            throw LedgerError.input(input.naming(options))
        } catch let error as StorageError {
            guard case .input(let input) = error else { throw error }
            throw StorageError.input(input.naming(options))
        } catch let error as InputError {
            throw error.naming(options)
        }
    } catch let error as ExitCode {
        throw error
    } catch let error as Failure {
        switch error {
        case .input(let input): printError("refused: \(input)")
            throw ExitCode(1)
        case .integrity(let reason): printError("integrity failure: \(reason)")
            throw ExitCode(4)
        case .other(let reason): printError(reason)
            throw ExitCode(1)
        }
    } catch let error as LedgerError {
        switch error {
        case .input(let input): printError("refused: \(input)\nnothing was written")
            throw ExitCode(1)
        case .integrity: printError(error.description)
            throw ExitCode(4)
        case .notALedger, .storage: printError("error: \(error)")
            throw ExitCode(1)
        }
    } catch let error as StorageError {
        // Worded as the LedgerError cases above, so a command moved onto the seam prints the same.
        switch error {
        case .input(let input): printError("refused: \(input)\nnothing was written")
            throw ExitCode(1)
        case .integrity: printError(error.description)
            throw ExitCode(4)
        case .notALedger, .unavailable: printError("error: \(error)")
            throw ExitCode(1)
        }
    } catch let error as InputError {
        printError("refused: \(error)\nnothing was written")
        throw ExitCode(1)
    } catch let error as SQLiteError {
        printError("error: \(LedgerError.storage(error))")
        throw ExitCode(1)
    } catch {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}

/// `reportingFailures` for a command body that awaits (the storage seam is async).
func reportingFailuresAsync(options: [String: String] = [:], _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        try reportingFailures(options: options) { throw error }
    }
}

extension InputError {
    /// This error with its field replaced by the option that carried it, when it is not about
    /// an input line and `options` names one.
    func naming(_ options: [String: String]) -> InputError {
        guard line == nil, let field, let option = options[field] else { return self }
        var copy = self
        copy.field = option
        return copy
    }
}

func printError(_ text: String, newline: Bool = true) {
    var stream = StandardError()
    print(text, terminator: newline ? "\n" : "", to: &stream)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        // FileHandle is Sendable where the C global `stderr` is not.
        FileHandle.standardError.write(Data(string.utf8))
    }
}

#if canImport(Glibc)
import Glibc
#endif
