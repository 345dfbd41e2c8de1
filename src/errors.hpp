#pragma once
// The tool's failures. Each carries the exit code a deploy script acts on; main()
// catches them once and maps them (documented in README.md, "Exit codes").
#include <stdexcept>
#include <string>

namespace s2p {

enum class ExitCode : int {
    Ok = 0,
    Internal = 1,     // a bug or an unexpected failure
    Usage = 2,        // bad command line
    Source = 3,       // the SQLite file cannot be read
    Target = 4,       // connection, permissions, schema mismatch, server-side failure
    Data = 5,         // a value cannot be converted or violates a constraint
    Mismatch = 6,     // verification found a difference after loading
    Rejected = 7,     // --on-error reject: committed, but some rows were set aside
    ResumeRefused = 8, // --resume: the source file or the options changed since the interrupted run
    Interrupted = 130 // SIGINT/SIGTERM: rolled back
};

class Error : public std::runtime_error {
public:
    Error(ExitCode code, const std::string &what) : std::runtime_error(what), m_code(code) {}
    ExitCode code() const noexcept { return m_code; }

private:
    ExitCode m_code;
};

struct UsageError : Error { explicit UsageError(const std::string &w) : Error(ExitCode::Usage, w) {} };
struct SourceError : Error { explicit SourceError(const std::string &w) : Error(ExitCode::Source, w) {} };
struct TargetError : Error { explicit TargetError(const std::string &w) : Error(ExitCode::Target, w) {} };
struct DataError : Error { explicit DataError(const std::string &w) : Error(ExitCode::Data, w) {} };
struct ResumeRefusedError : Error { explicit ResumeRefusedError(const std::string &w) : Error(ExitCode::ResumeRefused, w) {} };
struct MismatchError : Error { explicit MismatchError(const std::string &w) : Error(ExitCode::Mismatch, w) {} };

} // namespace s2p
