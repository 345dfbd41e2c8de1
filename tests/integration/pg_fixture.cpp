#include "pg_fixture.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <memory>
#include <sys/wait.h>
#include <unistd.h>

namespace s2p::test {

namespace {

std::string env_or_fail(const char *name)
{
    char const *v = std::getenv(name);
    if (!v || !*v) {
        throw std::runtime_error(std::string{name} + " is not set: integration tests need a PostgreSQL "
                                                     "server; run them through scripts/test.sh");
    }
    return v;
}

std::string admin_base() { return env_or_fail("SQLITE2PG_TEST_PG"); }

// The app role's conninfo; if the script gave none, the superuser's (tests still run,
// only without proving the no-superuser rule).
std::string app_base()
{
    char const *v = std::getenv("SQLITE2PG_TEST_APP_PG");
    return v && *v ? v : admin_base();
}

std::string app_role()
{
    pqxx::connection c(app_base());
    pqxx::nontransaction tx(c);
    return tx.exec("SELECT current_user")[0][0].as<std::string>();
}

std::atomic<int> counter{0};

} // namespace

TestDb::TestDb()
{
    m_name = "s2p_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    {
        pqxx::connection admin(admin_base());
        pqxx::nontransaction tx(admin);
        tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(m_name));
        tx.exec("CREATE DATABASE " + tx.quote_name(m_name) + " OWNER " + tx.quote_name(app_role()));
    }
    m_conn = std::make_unique<pqxx::connection>(app_conninfo());
}

TestDb::~TestDb()
{
    m_conn.reset();
    if (char const *keep = std::getenv("SQLITE2PG_KEEP_DB"); keep && *keep == '1') return;
    try {
        pqxx::connection admin(admin_base());
        pqxx::nontransaction tx(admin);
        tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(m_name) + " WITH (FORCE)");
    } catch (...) {
        // A leftover test database is harmless in a throwaway cluster.
    }
}

std::string TestDb::admin_conninfo() const { return admin_base() + " dbname=" + m_name; }
std::string TestDb::app_conninfo() const { return app_base() + " dbname=" + m_name; }

void TestDb::exec(const std::string &sql)
{
    pqxx::nontransaction tx(*m_conn);
    tx.exec(sql);
}

pqxx::result TestDb::query(const std::string &sql)
{
    pqxx::nontransaction tx(*m_conn);
    return tx.exec(sql);
}

void TestDb::load_schema_file(const std::string &path, const std::string &schema)
{
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    pqxx::work tx(*m_conn);
    tx.exec("CREATE SCHEMA IF NOT EXISTS " + tx.quote_name(schema));
    tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
    tx.exec(ss.str());
    tx.commit();
}

std::string source_dir() { return S2P_SOURCE_DIR; }
std::string fixture(const std::string &name) { return source_dir() + "/fixtures/" + name; }

std::string temp_path(const std::string &suffix)
{
    static std::atomic<int> n{0};
    auto dir = std::filesystem::temp_directory_path() / "sqlite2pg-tests";
    std::filesystem::create_directories(dir);
    return (dir / (std::to_string(::getpid()) + "_" + std::to_string(n++) + suffix)).string();
}

std::string new_sqlite(const std::string &sql)
{
    std::string const path = temp_path(".db");
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(sql);
    return path;
}

std::string shell_quote(const std::string &s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out.push_back(c);
    }
    return out + "'";
}

ToolRun run_tool(const std::vector<std::string> &args, const std::string &env)
{
    std::string cmd = env + " " + shell_quote(S2P_BINARY);
    for (auto const &a : args) cmd += " " + shell_quote(a);
    cmd += " 2>&1 </dev/null";
    ToolRun r;
    std::unique_ptr<FILE, int (*)(FILE *)> p(popen(cmd.c_str(), "r"), pclose);
    if (!p) throw std::runtime_error("cannot run " + cmd);
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p.get())) r.output.append(buf, n);
    int const status = pclose(p.release());
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

} // namespace s2p::test
