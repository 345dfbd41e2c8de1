#include "conninfo.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <memory>

namespace s2p {

namespace {

constexpr std::string_view mask = "****";

bool is_uri(std::string_view s)
{
    return s.starts_with("postgresql://") || s.starts_with("postgres://");
}

std::string mask_uri(std::string_view s)
{
    std::string out{s};
    // userinfo ends at the last '@' before the path; the password follows the first ':'
    std::size_t const scheme_end = out.find("://") + 3;
    std::size_t path = out.find_first_of("/?", scheme_end);
    if (path == std::string::npos) path = out.size();
    std::size_t const at = out.rfind('@', path);
    if (at != std::string::npos && at >= scheme_end) {
        std::size_t const colon = out.find(':', scheme_end);
        if (colon != std::string::npos && colon < at) {
            out.replace(colon + 1, at - colon - 1, mask);
        }
    }
    // password=... may also come as a query parameter
    std::size_t q = out.find('?');
    while (q != std::string::npos && q < out.size()) {
        std::size_t const start = q + 1;
        std::size_t end = out.find('&', start);
        if (end == std::string::npos) end = out.size();
        if (std::string_view{out}.substr(start, end - start).starts_with("password=")) {
            std::size_t const v = start + 9;
            out.replace(v, end - v, mask);
            end = v + mask.size();
        }
        q = end < out.size() ? end : std::string::npos;
    }
    return out;
}

// key=value form: values may be quoted with single quotes and contain \' escapes.
std::string mask_keyvalue(std::string_view s)
{
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) out.push_back(s[i++]);
        std::size_t const key_start = i;
        while (i < s.size() && s[i] != '=' && s[i] != ' ') ++i;
        std::string_view const key = s.substr(key_start, i - key_start);
        out.append(key);
        while (i < s.size() && s[i] == ' ') out.push_back(s[i++]);
        if (i >= s.size() || s[i] != '=') continue;
        out.push_back(s[i++]);
        while (i < s.size() && s[i] == ' ') out.push_back(s[i++]);
        std::size_t const v_start = i;
        if (i < s.size() && s[i] == '\'') {
            ++i;
            while (i < s.size() && s[i] != '\'') i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
            if (i < s.size()) ++i;
        } else {
            while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
        }
        if (key == "password") {
            out.append(mask);
        } else {
            out.append(s.substr(v_start, i - v_start));
        }
    }
    return out;
}

std::string replace_all(std::string message, const std::string &secret)
{
    if (secret.empty()) return message;
    for (std::size_t p = message.find(secret); p != std::string::npos; p = message.find(secret, p + mask.size())) {
        message.replace(p, secret.size(), mask);
    }
    return message;
}

using Options = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

Options parse(const std::string &conninfo)
{
    char *err = nullptr;
    Options opts{PQconninfoParse(conninfo.c_str(), &err), &PQconninfoFree};
    if (err) PQfreemem(err);
    return opts;
}

} // namespace

std::string resolve_conninfo(const std::optional<std::string> &arg)
{
    if (arg && !arg->empty()) return *arg;
    if (char const *env = std::getenv("DATABASE_URL"); env && *env) return env;
    return {};
}

std::string mask_password(std::string_view conninfo)
{
    return is_uri(conninfo) ? mask_uri(conninfo) : mask_keyvalue(conninfo);
}

std::string describe_target(const std::string &conninfo)
{
    Options opts = parse(conninfo);
    if (!opts) return mask_password(conninfo);
    // Fill in what libpq would use from the environment, so the description is true.
    auto value = [&](std::string_view key, char const *env) -> std::string {
        for (PQconninfoOption *o = opts.get(); o->keyword; ++o) {
            if (key == o->keyword && o->val && *o->val) return o->val;
        }
        if (char const *e = std::getenv(env); e && *e) return e;
        return {};
    };
    std::string user = value("user", "PGUSER");
    std::string host = value("host", "PGHOST");
    std::string port = value("port", "PGPORT");
    std::string db = value("dbname", "PGDATABASE");
    if (host.empty()) host = "(default socket)";
    std::string out = user.empty() ? host : user + "@" + host;
    if (!port.empty()) out += ":" + port;
    out += "/" + (db.empty() ? (user.empty() ? std::string{"(default db)"} : user) : db);
    return out;
}

std::string scrub_password(std::string message, const std::string &conninfo)
{
    std::string password;
    if (Options opts = parse(conninfo)) {
        for (PQconninfoOption *o = opts.get(); o->keyword; ++o) {
            if (std::string_view{o->keyword} == "password" && o->val) password = o->val;
        }
    }
    if (password.empty()) password = written_password(conninfo); // libpq could not parse it
    if (password.empty()) {
        if (char const *e = std::getenv("PGPASSWORD"); e) password = e;
    }
    return replace_all(std::move(message), password);
}

std::string written_password(std::string_view conninfo)
{
    std::string const masked = mask_password(conninfo);
    if (masked == conninfo) return {};
    // The masked form differs from the original only where the password stood.
    std::size_t prefix = 0;
    while (prefix < masked.size() && prefix < conninfo.size() && masked[prefix] == conninfo[prefix]) ++prefix;
    std::size_t suffix = 0;
    while (suffix < masked.size() - prefix && suffix < conninfo.size() - prefix &&
           masked[masked.size() - 1 - suffix] == conninfo[conninfo.size() - 1 - suffix])
        ++suffix;
    return std::string{conninfo.substr(prefix, conninfo.size() - prefix - suffix)};
}

std::string scrub_arguments(std::string message, int argc, const char *const *argv)
{
    for (int i = 1; i < argc; ++i) {
        std::string const secret = written_password(argv[i]);
        if (!secret.empty()) message = replace_all(std::move(message), secret);
    }
    return message;
}

} // namespace s2p

namespace s2p {

namespace {

// A dead server or network must end the run within seconds, not after the kernel's
// two-hour keepalive default: probes after 10 s of silence, every 3 s, 3 misses
// (about 20 s on a silent link); data unacknowledged for 60 s fails the send (long
// enough for a busy server reading slowly); each connection attempt waits 10 s at
// most (--connect-retries covers a server that is starting). The user's own values
// (in the URL, key=value string, PGCONNECT_TIMEOUT or a pg_service.conf service) win.
constexpr std::pair<char const *, char const *> network_defaults[] = {
    {"connect_timeout", "10"},    {"keepalives", "1"},         {"keepalives_idle", "10"},
    {"keepalives_interval", "3"}, {"keepalives_count", "3"},   {"tcp_user_timeout", "60000"},
};

} // namespace

std::string with_network_defaults(const std::string &conninfo)
{
    char *err = nullptr;
    std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption *)> opts(PQconninfoParse(conninfo.c_str(), &err),
                                                                         &PQconninfoFree);
    if (err) PQfreemem(err);
    if (!opts) return conninfo; // libpq will say what is wrong with it when connecting
    auto is_set = [&](std::string_view key) {
        for (PQconninfoOption *o = opts.get(); o->keyword; ++o)
            if (key == o->keyword) return o->val != nullptr && *o->val != '\0';
        return false;
    };
    // A service file may set these itself; values added here would override it.
    if (is_set("service") || std::getenv("PGSERVICE")) return conninfo;
    std::string out = conninfo;
    bool const uri = is_uri(conninfo);
    bool has_query = uri && conninfo.find('?') != std::string::npos;
    for (auto const &[key, value] : network_defaults) {
        if (is_set(key)) continue;
        if (std::string_view{key} == "connect_timeout" && std::getenv("PGCONNECT_TIMEOUT")) continue;
        if (uri) {
            out += has_query ? '&' : '?';
            has_query = true;
        } else if (!out.empty()) {
            out += ' ';
        }
        out += std::string{key} + '=' + value;
    }
    return out;
}

} // namespace s2p
