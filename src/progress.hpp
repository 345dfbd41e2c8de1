#pragma once
// What the operator sees: log lines and progress on stderr (a live line only on a
// terminal, at most a few updates a second), and the summary table at the end.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace s2p {

class Log {
public:
    enum class Level { Debug, Info, Warn, Error };
    Log(bool quiet, bool verbose, std::FILE *out = stderr);

    void debug(std::string_view m) { write(Level::Debug, m); }
    void info(std::string_view m) { write(Level::Info, m); }
    void warn(std::string_view m) { write(Level::Warn, m); }
    void error(std::string_view m) { write(Level::Error, m); }
    bool terminal() const { return m_tty; }
    // --log-format json: one JSON object per line ({"ts","level","msg"}) for log
    // collectors, and no live progress line (progress goes out as timed info lines).
    void set_json(bool json);
    bool quiet() const { return m_quiet; }

    // The live progress line (terminal only); log lines clear it first.
    void status(std::string_view line);
    void clear_status();

private:
    void write(Level level, std::string_view m);

    std::FILE *m_out;
    bool m_quiet, m_verbose, m_tty;
    bool m_status_shown = false;
    bool m_json = false;
};

class Progress {
public:
    explicit Progress(Log &log) : m_log(log) {}
    void start_table(const std::string &name, std::int64_t total_rows);
    // Cheap to call per row: it looks at the clock every 4096 rows only.
    void update(std::int64_t rows, std::uint64_t bytes)
    {
        if ((rows & 4095) == 0) tick(rows, bytes, false);
    }
    void finish_table(std::int64_t rows, std::uint64_t bytes);

private:
    void tick(std::int64_t rows, std::uint64_t bytes, bool force);

    Log &m_log;
    std::string m_table;
    std::int64_t m_total = 0;
    std::chrono::steady_clock::time_point m_start, m_last;
};

struct TableStats {
    std::string table;
    std::int64_t rows_read = 0;
    std::int64_t rows_written = 0;
    std::uint64_t bytes = 0;
    double seconds = 0;
    std::int64_t rejects = 0;  // --on-error reject: rows set aside
    std::int64_t repaired = 0; // values changed by an explicit --nul-bytes/--invalid-utf8/--invalid-json
    bool frozen = false;       // written by COPY ... FREEZE
};

// Aligned per-table summary, totals and the verdict line, on `out`.
void print_summary(std::FILE *out, const std::vector<TableStats> &tables, double total_seconds,
                   std::string_view verdict, bool dry_run);

std::string human_bytes(double bytes);
std::string with_commas(std::int64_t n);

} // namespace s2p
