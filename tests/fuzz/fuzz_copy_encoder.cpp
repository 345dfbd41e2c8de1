// libFuzzer target: the COPY encoders on arbitrary bytes.
// Text format: the escaped field holds no raw tab, newline or carriage return (they
// would split the COPY line or the row) and unescapes back to the input; a row of
// fields has exactly fields-1 tabs and one trailing newline; discard_row() takes a
// row back byte for byte.
// Binary format: append_binary_field() either refuses the text (Error: not the
// converter's form) or writes a length prefix that matches the bytes written; the
// row's field count and the -1 NULL marker are framed as the format says.
#include "copy_binary.hpp"
#include "copy_encoder.hpp"
#include "errors.hpp"
#include "fuzz_common.hpp"

#include <algorithm>

using namespace s2p;

namespace {

std::string unescape(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out.push_back(s[i]);
            continue;
        }
        FUZZ_CHECK(i + 1 < s.size(), "dangling backslash");
        char const c = s[++i];
        switch (c) {
        case '\\': out.push_back('\\'); break;
        case 't': out.push_back('\t'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        default: fuzz::fail("unknown escape", s);
        }
    }
    return out;
}

std::uint32_t be32(const char *p)
{
    return (std::uint32_t(std::uint8_t(p[0])) << 24) | (std::uint32_t(std::uint8_t(p[1])) << 16) |
           (std::uint32_t(std::uint8_t(p[2])) << 8) | std::uint32_t(std::uint8_t(p[3]));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::Input in(data, size);
    PgType const t = fuzz::pick_type(in);
    std::uint8_t const shape = in.byte();
    std::string_view const value = in.rest();

    // copy_escape alone
    std::string esc;
    copy_escape(esc, value);
    FUZZ_CHECK(esc.find_first_of("\t\n\r") == std::string::npos, "raw control byte after escaping");
    FUZZ_CHECK(unescape(esc) == value, "escaping does not round-trip");

    // A text row: the value split into fields at byte 0x01, some NULL.
    {
        std::string buf = "earlier row\n";
        CopyRowEncoder enc(buf, CopyFormat::Text);
        enc.begin_stream();
        std::size_t const before = buf.size();
        enc.begin_row();
        std::size_t fields = 0, start = 0;
        for (std::size_t i = 0; i <= value.size(); ++i) {
            if (i < value.size() && value[i] != '\x01') continue;
            std::string_view const f = value.substr(start, i - start);
            if ((shape & 1) && f.empty()) enc.null_field();
            else enc.field(t, f);
            ++fields;
            start = i + 1;
        }
        enc.end_row();
        std::string_view const row = std::string_view(buf).substr(before);
        FUZZ_CHECK(row.back() == '\n' && std::count(row.begin(), row.end(), '\n') == 1, "row is not one line");
        FUZZ_CHECK(static_cast<std::size_t>(std::count(row.begin(), row.end(), '\t')) == fields - 1,
                   "tab count differs from the field count");
        enc.begin_row();
        enc.field(t, value);
        enc.discard_row();
        FUZZ_CHECK(buf.size() == before + row.size(), "discard_row left bytes behind");
    }

    // A binary row of one field (or NULL).
    {
        std::string buf;
        CopyRowEncoder enc(buf, CopyFormat::Binary, 1);
        enc.begin_stream();
        FUZZ_CHECK(buf.size() == 19, "binary header is not 19 bytes");
        enc.begin_row();
        FUZZ_CHECK(buf.size() == 21 && buf[19] == 0 && buf[20] == 1, "field count not framed");
        bool written = true;
        if (shape & 2) {
            enc.null_field();
            FUZZ_CHECK(be32(buf.data() + 21) == 0xffffffffu && buf.size() == 25, "NULL not framed as -1");
        } else if (binary_copy_supported(t)) {
            try {
                enc.field(t, value);
                FUZZ_CHECK(buf.size() >= 25, "field shorter than its length prefix");
                FUZZ_CHECK(be32(buf.data() + 21) == buf.size() - 25, "length prefix does not match the bytes");
            } catch (const Error &) {
                written = false; // not in the converter's form: refused, never sent
            }
        } else {
            written = false;
        }
        if (!written) enc.discard_row();
        enc.end_stream();
        FUZZ_CHECK(buf.size() >= 21 && buf.compare(buf.size() - 2, 2, "\xff\xff", 2) == 0, "trailer missing");
    }
    return 0;
}
