#include "progress_view.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <thread>

#include "tty_progress.hpp"

namespace boxtool::cli {
namespace {

ProgressEvent event(ProgressEvent::Type type, const std::string& hex, std::uint64_t current,
                    std::uint64_t total) {
    ProgressEvent e;
    e.type = type;
    e.digest = parse_digest("sha256:" + hex).value();
    e.current = current;
    e.total = total;
    return e;
}

std::string hex(char c) {
    return std::string(64, c);
}

TEST(TtyLayout, EveryBlobListedFromTheStartWithAStableTotal) {
    TtyLayout layout;
    auto now = TtyLayout::Clock::now();
    for (char c : {'a', 'b', 'c'})
        layout.on_event(event(ProgressEvent::Type::BlobQueued, hex(c), 0, 1 << 20), now);
    auto lines = layout.render(120, 40, now);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_NE(lines[0].find("aaaaaaaaaaaa waiting"), std::string::npos) << lines[0];
    EXPECT_NE(lines[3].find("Total 0 B/3.0 MiB, 0/3 blobs"), std::string::npos) << lines[3];
    layout.on_event(event(ProgressEvent::Type::BlobStart, hex('a'), 0, 1 << 20), now);
    layout.on_event(event(ProgressEvent::Type::BlobProgress, hex('a'), 1 << 19, 1 << 20), now);
    lines = layout.render(120, 40, now + std::chrono::seconds(1));
    EXPECT_NE(lines[0].find("downloading ["), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("512.0 KiB/1.0 MiB"), std::string::npos) << lines[0];
    EXPECT_NE(lines[3].find("3.0 MiB"), std::string::npos) << "the total must not change: " << lines[3];
}

TEST(TtyLayout, LinesFitTheWidthAndFinishedOnesHaveNoBar) {
    TtyLayout layout;
    auto now = TtyLayout::Clock::now();
    layout.on_event(event(ProgressEvent::Type::BlobQueued, hex('a'), 0, 5000), now);
    layout.on_event(event(ProgressEvent::Type::BlobStart, hex('a'), 0, 5000), now);
    layout.on_event(event(ProgressEvent::Type::BlobProgress, hex('a'), 2500, 5000), now);
    layout.on_event(event(ProgressEvent::Type::BlobCached, hex('b'), 0, 7000), now);
    for (int width : {20, 40, 60, 80, 120, 200})
        for (const auto& line : layout.render(width, 30, now + std::chrono::seconds(2)))
            EXPECT_LT(display_width(line), static_cast<std::size_t>(width)) << width << ": " << line;
    auto lines = layout.render(60, 30, now);
    EXPECT_NE(lines[1].find("already present"), std::string::npos) << lines[1];
    EXPECT_EQ(lines[1].find('['), std::string::npos) << lines[1];
}

TEST(TtyLayout, StoreHitsDoNotMakeARate) {
    TtyLayout layout;
    auto now = TtyLayout::Clock::now();
    for (char c : {'a', 'b'})
        layout.on_event(event(ProgressEvent::Type::BlobCached, hex(c), 0, 1ull << 33), now);
    for (const auto& line : layout.render(120, 30, now + std::chrono::milliseconds(10)))
        EXPECT_EQ(line.find("/s"), std::string::npos) << line;
}

TEST(TtyLayout, FinishedLayersFoldWhenTheTerminalIsShort) {
    TtyLayout layout;
    auto now = TtyLayout::Clock::now();
    for (int i = 0; i < 30; ++i) {
        std::string h = hex('0');
        h[0] = "0123456789abcdef"[i % 16];
        h[1] = "0123456789abcdef"[i / 16];
        layout.on_event(event(ProgressEvent::Type::BlobQueued, h, 0, 100), now);
        if (i < 25) layout.on_event(event(ProgressEvent::Type::BlobDone, h, 100, 100), now);
    }
    auto lines = layout.render(80, 12, now);
    EXPECT_LE(lines.size(), 11u) << "taller than the terminal";
    EXPECT_NE(lines[0].find("25 finished"), std::string::npos) << lines[0];
    EXPECT_NE(lines.back().find("Total"), std::string::npos);
}

TEST(PlainView, LongDownloadsPrintProgressLines) {
    std::FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    auto view = make_plain_view(out, std::chrono::milliseconds(20));
    view->on_event(event(ProgressEvent::Type::BlobStart, hex('c'), 0, 4096));
    view->on_event(event(ProgressEvent::Type::BlobProgress, hex('c'), 100, 4096));  // too soon: no line
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    view->on_event(event(ProgressEvent::Type::BlobProgress, hex('c'), 2048, 4096));
    std::rewind(out);
    char buf[4096] = {};
    std::string text(buf, std::fread(buf, 1, sizeof buf - 1, out));
    std::fclose(out);
    EXPECT_NE(text.find("cccccccccccc downloading 4.0 KiB\n"), std::string::npos) << text;
    EXPECT_NE(text.find("cccccccccccc downloading 2.0 KiB / 4.0 KiB (50%)"), std::string::npos) << text;
    EXPECT_EQ(text.find("100 B"), std::string::npos) << text;
}

}  // namespace
}  // namespace boxtool::cli
