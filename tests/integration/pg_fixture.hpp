#pragma once
// A throwaway database per test on the real server named by SQLITE2PG_TEST_PG
// (superuser conninfo, key=value form). SQLITE2PG_TEST_APP_PG names a non-superuser
// role the tool runs as, the way it runs at a real cutover. Set SQLITE2PG_KEEP_DB=1
// to keep the databases for debugging.
#include <pqxx/pqxx>

#include <memory>
#include <string>
#include <vector>

namespace s2p::test {

class TestDb {
public:
    TestDb();
    ~TestDb();
    TestDb(const TestDb &) = delete;
    TestDb &operator=(const TestDb &) = delete;

    const std::string &name() const { return m_name; }
    // Superuser, for checks the tool itself must not need.
    std::string admin_conninfo() const;
    // The non-superuser role that owns the database and its schema objects.
    std::string app_conninfo() const;
    // Runs SQL as the owning role (one or more statements).
    void exec(const std::string &sql);
    pqxx::result query(const std::string &sql);
    // Runs a file of SQL as the owning role with search_path set to `schema`
    // (created if missing).
    void load_schema_file(const std::string &path, const std::string &schema = "public");
    pqxx::connection &conn() { return *m_conn; }

private:
    std::string m_name;
    std::unique_ptr<pqxx::connection> m_conn; // as the app role
};

std::string source_dir();
std::string fixture(const std::string &name);
// A fresh path under the build's temp dir, removed by the caller.
std::string temp_path(const std::string &suffix);
// A new SQLite file at a temp path, made by running `sql` on it.
std::string new_sqlite(const std::string &sql);

// The sqlite2pg binary run with `args` (each shell-quoted), `env` prefixed
// ("VAR=value ..."); stdout and stderr together, stdin closed.
struct ToolRun {
    int code = -1; // exit status, -1 when killed by a signal
    std::string output;
};
ToolRun run_tool(const std::vector<std::string> &args, const std::string &env = "");
std::string shell_quote(const std::string &s);

} // namespace s2p::test
