#include "run_state.hpp"

#include "errors.hpp"
#include "target_catalog.hpp"

#include <fmt/format.h>
#include <xxhash.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>

namespace s2p {

namespace {

// An empty -wal file counts as none: a reader killed with -9 may leave one behind.
std::string stat_line(const std::string &key, const std::string &path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || st.st_size == 0) return key + "=none\n";
    return fmt::format("{}={} bytes, mtime {}.{:09}\n", key, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

std::map<std::string, std::string> parse_lines(const std::string &text)
{
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        auto const eq = line.find('=');
        if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
}

} // namespace

std::string source_fingerprint(const std::string &path)
{
    std::string out = "path=" + std::filesystem::absolute(path).lexically_normal().string() + "\n";
    out += stat_line("file", path);
    std::unique_ptr<std::FILE, int (*)(std::FILE *)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw SourceError(fmt::format("cannot open source file '{}' for reading", path));
    // The page size is in the header (bytes 16-17; 1 means 65536): read the largest
    // page SQLite allows, then keep the first page.
    std::string first_page(65536, '\0');
    first_page.resize(std::fread(first_page.data(), 1, first_page.size(), f.get()));
    std::size_t page = 4096;
    if (first_page.size() >= 18) {
        unsigned const v =
            (static_cast<unsigned char>(first_page[16]) << 8) | static_cast<unsigned char>(first_page[17]);
        page = v == 1 ? 65536 : (v >= 512 ? v : 4096);
    }
    first_page.resize(std::min(first_page.size(), page));
    out += fmt::format("header_xxh64={:016x}\n", XXH64(first_page.data(), first_page.size(), 0));
    out += stat_line("wal", path + "-wal");
    return out;
}

std::string data_options(const MigrateOptions &o)
{
    auto list = [](const std::vector<std::string> &v) {
        std::string s;
        for (auto const &x : v) s += (s.empty() ? "" : ",") + x;
        return s;
    };
    std::string out;
    out += "target_schema=" + o.target_schema + "\n";
    out += "tables=" + list(o.selection.tables) + "\n";
    out += "exclude_tables=" + list(o.selection.exclude_tables) + "\n";
    out += fmt::format("on_error={}\n", o.on_error == OnError::Reject ? "reject" : "abort");
    out += fmt::format("nul_bytes={}\n", o.fixups.nul_bytes == NulBytes::Strip ? "strip" : "reject");
    out += fmt::format("invalid_utf8={}\n", o.fixups.invalid_utf8 == InvalidUtf8::Replace ? "replace" : "reject");
    out += fmt::format("invalid_json={}\n", o.fixups.invalid_json == InvalidJson::Null ? "null" : "reject");
    out += "source_timezone=" + o.source_timezone + "\n";
    out += fmt::format("epoch_unit={}\n", static_cast<int>(o.epoch_unit));
    out += fmt::format("text_to_bytea={}\n", o.text_to_bytea);
    return out;
}

std::vector<std::string> differing_keys(const std::string &a, const std::string &b)
{
    auto const x = parse_lines(a), y = parse_lines(b);
    std::set<std::string> keys;
    for (auto const &[k, v] : x) keys.insert(k);
    for (auto const &[k, v] : y) keys.insert(k);
    std::vector<std::string> out;
    for (auto const &k : keys) {
        auto const i = x.find(k), j = y.find(k);
        if (i == x.end() || j == y.end() || i->second != j->second) out.push_back(k);
    }
    return out;
}

std::optional<StoredState> read_state(pqxx::transaction_base &tx, const std::string &schema)
{
    auto const exists = tx.exec_params("SELECT to_regclass($1) IS NOT NULL", qualified(schema, state_table_name));
    if (!exists[0][0].as<bool>()) return std::nullopt;
    StoredState s;
    auto const rows = tx.exec("SELECT table_name, status, rows, source_fingerprint, options FROM " +
                              qualified(schema, state_table_name) + " ORDER BY load_order");
    for (auto const &r : rows) {
        s.tables.push_back(r[0].as<std::string>());
        if (r[1].as<std::string>() == "done") s.done[r[0].as<std::string>()] = r[2].as<std::int64_t>(0);
        s.fingerprint = r[3].as<std::string>();
        s.options = r[4].as<std::string>();
    }
    return s;
}

std::string interrupted_run_message(const StoredState &s, const std::string &schema)
{
    return fmt::format("{}: an interrupted --per-table run left its progress here ({} of {} tables done); pass "
                       "--resume (with the same options) to finish it, or --truncate to start over",
                       qualified(schema, state_table_name), s.done.size(), s.tables.size());
}

void create_state(pqxx::transaction_base &tx, const std::string &schema, const std::string &fingerprint,
                  const std::string &options, const std::vector<std::string> &tables)
{
    std::string const t = qualified(schema, state_table_name);
    tx.exec("DROP TABLE IF EXISTS " + t);
    tx.exec("CREATE TABLE " + t +
            " (table_name text PRIMARY KEY, load_order int NOT NULL, status text NOT NULL"
            " CHECK (status IN ('pending', 'done')), rows bigint, finished_at timestamptz,"
            " source_fingerprint text NOT NULL, options text NOT NULL, options_xxh64 text NOT NULL,"
            " started_at timestamptz NOT NULL DEFAULT now())");
    tx.exec("COMMENT ON TABLE " + t +
            " IS 'sqlite2pg migrate --per-table progress: run sqlite2pg migrate --resume to finish the "
            "interrupted run; dropped when it completes'");
    std::string const hash = fmt::format("{:016x}", XXH64(options.data(), options.size(), 0));
    int order = 0;
    for (auto const &table : tables) {
        tx.exec_params("INSERT INTO " + t +
                           " (table_name, load_order, status, source_fingerprint, options, options_xxh64)"
                           " VALUES ($1, $2, 'pending', $3, $4, $5)",
                       table, ++order, fingerprint, options, hash);
    }
}

void mark_table_done(pqxx::transaction_base &tx, const std::string &schema, const std::string &table,
                     std::int64_t rows)
{
    auto const r = tx.exec_params("UPDATE " + qualified(schema, state_table_name) +
                                      " SET status = 'done', rows = $2, finished_at = now() WHERE table_name = $1",
                                  table, rows);
    if (r.affected_rows() != 1)
        throw TargetError(fmt::format("the progress table {} has no row for table \"{}\" (was it changed by hand?)",
                                      qualified(schema, state_table_name), table));
}

void drop_state(pqxx::transaction_base &tx, const std::string &schema)
{
    tx.exec("DROP TABLE IF EXISTS " + qualified(schema, state_table_name));
}

} // namespace s2p
