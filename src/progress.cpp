#include "progress.hpp"

#include "json_writer.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <unistd.h>

#include <ctime>

namespace s2p {

namespace {

// Updates on a terminal: often enough to look alive, rarely enough to cost nothing.
constexpr auto terminal_interval = std::chrono::milliseconds(250);
// Without a terminal (CI logs, deploy scripts), a line every few seconds per table.
constexpr auto log_interval = std::chrono::seconds(10);

double seconds_since(std::chrono::steady_clock::time_point t)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

Log::Log(bool quiet, bool verbose, std::FILE *out)
    : m_out(out), m_quiet(quiet), m_verbose(verbose), m_tty(isatty(fileno(out)) == 1)
{
}

void Log::set_json(bool json)
{
    m_json = json;
    if (json) m_tty = false;
}

void Log::write(Level level, std::string_view m)
{
    if (level == Level::Debug && !m_verbose) return;
    if (level == Level::Info && m_quiet) return;
    clear_status();
    char const *name = level == Level::Debug ? "DEBUG"
                       : level == Level::Info ? "INFO"
                       : level == Level::Warn ? "WARN"
                                              : "ERROR";
    if (m_json) {
        std::time_t const now = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&now, &tm);
        std::string lower = name;
        for (char &c : lower) c = static_cast<char>(c | 0x20);
        JsonWriter j;
        j.begin_object().field("ts", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", tm)).field("level", lower);
        j.field("msg", m).end_object();
        fmt::print(m_out, "{}\n", j.str());
    } else if (m_tty) {
        if (level == Level::Info || level == Level::Debug) fmt::print(m_out, "{}\n", m);
        else fmt::print(m_out, "{}: {}\n", name, m);
    } else {
        std::time_t const now = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&now, &tm);
        fmt::print(m_out, "{:%Y-%m-%dT%H:%M:%SZ} {} {}\n", tm, name, m);
    }
    std::fflush(m_out);
}

void Log::status(std::string_view line)
{
    if (!m_tty || m_quiet) return;
    fmt::print(m_out, "\r\033[K{}", line);
    std::fflush(m_out);
    m_status_shown = true;
}

void Log::clear_status()
{
    if (!m_status_shown) return;
    fmt::print(m_out, "\r\033[K");
    m_status_shown = false;
}

void Progress::start_table(const std::string &name, std::int64_t total_rows)
{
    m_table = name;
    m_total = total_rows;
    m_start = m_last = std::chrono::steady_clock::now();
    m_log.info(fmt::format("{}: loading {} rows", name, with_commas(total_rows)));
}

void Progress::tick(std::int64_t rows, std::uint64_t bytes, bool force)
{
    auto const now = std::chrono::steady_clock::now();
    auto const interval = m_log.terminal() ? terminal_interval : std::chrono::steady_clock::duration(log_interval);
    if (!force && now - m_last < interval) return;
    m_last = now;
    double const secs = std::max(1e-6, seconds_since(m_start));
    double const rate = static_cast<double>(rows) / secs;
    std::string eta = "-";
    if (rate > 0 && m_total >= rows) {
        eta = fmt::format("{:.0f}s", static_cast<double>(m_total - rows) / rate);
    }
    int const pct = m_total > 0 ? static_cast<int>(100.0 * static_cast<double>(rows) / static_cast<double>(m_total)) : 100;
    std::string const line = fmt::format("{}: {}/{} rows ({}%), {:.0f} rows/s, {}/s, ETA {}", m_table,
                                         with_commas(rows), with_commas(m_total), pct, rate,
                                         human_bytes(static_cast<double>(bytes) / secs), eta);
    if (m_log.terminal()) m_log.status(line);
    else m_log.info(line);
}

void Progress::finish_table(std::int64_t rows, std::uint64_t bytes)
{
    double const secs = std::max(1e-6, seconds_since(m_start));
    m_log.info(fmt::format("{}: {} rows in {:.2f}s ({:.0f} rows/s, {}/s)", m_table, with_commas(rows), secs,
                           static_cast<double>(rows) / secs, human_bytes(static_cast<double>(bytes) / secs)));
}

std::string human_bytes(double b)
{
    char const *units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1000 && u < 4) { b /= 1000; ++u; }
    return u == 0 ? fmt::format("{:.0f} {}", b, units[u]) : fmt::format("{:.1f} {}", b, units[u]);
}

std::string with_commas(std::int64_t n)
{
    std::string s = std::to_string(n < 0 ? -n : n);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
    return n < 0 ? "-" + s : s;
}

void print_summary(std::FILE *out, const std::vector<TableStats> &tables, double total_seconds,
                   std::string_view verdict, bool dry_run)
{
    std::size_t w = 5;
    for (auto const &t : tables) w = std::max(w, t.table.size());
    char const *written = dry_run ? "rows checked" : "rows written";
    fmt::print(out, "\n{:<{}}  {:>12}  {:>12}  {:>9}  {:>12}  {:>10}\n", "table", w, "rows read", written,
               "seconds", "rows/s", "MB/s");
    fmt::print(out, "{:-<{}}\n", "", w + 2 + 12 + 2 + 12 + 2 + 9 + 2 + 12 + 2 + 10);
    std::int64_t read = 0, wrote = 0;
    std::uint64_t bytes = 0;
    for (auto const &t : tables) {
        double const s = std::max(t.seconds, 1e-6);
        fmt::print(out, "{:<{}}  {:>12}  {:>12}  {:>9.2f}  {:>12.0f}  {:>10.1f}\n", t.table, w,
                   with_commas(t.rows_read), with_commas(t.rows_written), t.seconds,
                   static_cast<double>(t.rows_written) / s, static_cast<double>(t.bytes) / s / 1e6);
        read += t.rows_read;
        wrote += t.rows_written;
        bytes += t.bytes;
    }
    double const s = std::max(total_seconds, 1e-6);
    fmt::print(out, "{:-<{}}\n", "", w + 2 + 12 + 2 + 12 + 2 + 9 + 2 + 12 + 2 + 10);
    fmt::print(out, "{:<{}}  {:>12}  {:>12}  {:>9.2f}  {:>12.0f}  {:>10.1f}\n", "total", w, with_commas(read),
               with_commas(wrote), total_seconds, static_cast<double>(wrote) / s,
               static_cast<double>(bytes) / s / 1e6);
    fmt::print(out, "\n{}\n", verdict);
    std::fflush(out);
}

} // namespace s2p
