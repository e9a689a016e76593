#include "terminal_text.hpp"

#include <gtest/gtest.h>

namespace boxtool::cli {
namespace {

TEST(Printable, EscapesWhatATerminalWouldObey) {
    EXPECT_EQ(printable("denied: \x1b]0;pwned\x07 ok"), "denied: \\x1b]0;pwned\\x07 ok");
    EXPECT_EQ(printable("line\r\x1b[2Kforged"), "line\\x0d\\x1b[2Kforged");
    EXPECT_EQ(printable("del\x7f"), "del\\x7f");
    EXPECT_EQ(printable("two\nlines\tand a tab"), "two\nlines\tand a tab");
    EXPECT_EQ(printable("one\nline", false), "one\\x0aline");
}

TEST(Printable, KeepsValidUtf8AndEscapesTheRest) {
    EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xb3"),
              "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xb3");
    EXPECT_EQ(printable("\xc2\x9b"
                        "31m"),
              "\\u009b31m");  // C1 CSI encoded as UTF-8
    EXPECT_EQ(printable("\x9b"
                        "31m"),
              "\\x9b31m");  // a bare C1 byte
    EXPECT_EQ(printable("\xe2\x80\xae"
                        "gnp.exe"),
              "\\u202egnp.exe");                              // right-to-left override
    EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
    EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
    EXPECT_EQ(printable("\xe2\x9c"), "\\xe2\\x9c");           // truncated
}

TEST(JsonPrintable, EscapesAsJsonSoTheTextStaysValid) {
    EXPECT_EQ(json_printable("{\"m\":\"a\x1b]0;t\x07\"}"), "{\"m\":\"a\\u001b]0;t\\u0007\"}");
    EXPECT_EQ(json_printable("{\"m\":\"\xc2\x9b\xe2\x80\xae\"}"), "{\"m\":\"\\u009b\\u202e\"}");
    EXPECT_EQ(json_printable("{\n  \"ok\": \"caf\xc3\xa9\"\n}"), "{\n  \"ok\": \"caf\xc3\xa9\"\n}");
    EXPECT_EQ(json_printable("\"\xff\""), "\"\xef\xbf\xbd\"");
}

}  // namespace
}  // namespace boxtool::cli
