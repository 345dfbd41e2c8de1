#pragma once
// The one place JSON text is produced (inspect --json, --report, --log-format json):
// a string escaper and a small streaming writer that places the commas, so no caller
// hand-assembles JSON and no two escapers drift apart.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s2p {

// Appends `s` as a JSON string literal, quotes included. Bytes that are not valid
// UTF-8 become U+FFFD so the document always parses (SQLite text is not checked).
void append_json_string(std::string &out, std::string_view s);
std::string json_string(std::string_view s);

class JsonWriter {
public:
    JsonWriter &begin_object();
    JsonWriter &end_object();
    JsonWriter &begin_array();
    JsonWriter &end_array();
    // Inside an object: the next value's name.
    JsonWriter &key(std::string_view k);

    JsonWriter &value(std::string_view s);
    JsonWriter &value(const char *s) { return value(std::string_view{s}); }
    JsonWriter &value(const std::string &s) { return value(std::string_view{s}); }
    JsonWriter &value(bool b);
    JsonWriter &value(std::int64_t n);
    JsonWriter &value(std::uint64_t n);
    JsonWriter &value(int n) { return value(static_cast<std::int64_t>(n)); }
    // Non-finite numbers have no JSON form: written as null.
    JsonWriter &value(double d);
    JsonWriter &null();
    // A value that is already a JSON document (from another stage's writer), as is.
    JsonWriter &raw(std::string_view json);

    // key(k).value(v) in one call.
    template <class T> JsonWriter &field(std::string_view k, const T &v) { return key(k).value(v); }

    const std::string &str() const { return m_out; }

private:
    void before_value();

    std::string m_out;
    // Per open container: whether a value has been written (a comma is due).
    std::vector<bool> m_has_items;
    bool m_after_key = false;
};

} // namespace s2p
