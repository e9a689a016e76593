#include "util/temp_path.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace boxtool::util {
namespace {

TEST(UniqueSuffix, StartsWithThePidAndNeverRepeatsAcrossThreads) {
    const std::string pid = std::to_string(::getpid()) + "-";
    std::set<std::string> seen;
    std::mutex mutex;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 500; ++i) {
                std::string s = unique_suffix();
                std::lock_guard lock(mutex);
                EXPECT_EQ(s.rfind(pid, 0), 0u) << s;
                EXPECT_TRUE(seen.insert(s).second) << "repeated: " << s;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(seen.size(), 2000u);
}

TEST(UniqueSuffix, TheRandomPartDiffersBetweenThreads) {
    // Each thread seeds its own engine: the parts after the counter must not all be equal.
    std::set<std::string> randoms;
    std::mutex mutex;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            std::string s = unique_suffix();
            std::lock_guard lock(mutex);
            randoms.insert(s.substr(s.rfind('-') + 1));
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_GT(randoms.size(), 1u);
}

TEST(SiblingTempPath, IsAHiddenNameBesideTheTarget) {
    auto p = sibling_temp_path("/srv/out/rootfs");
    EXPECT_EQ(p.parent_path(), "/srv/out");
    EXPECT_EQ(p.filename().string().rfind(".rootfs.boxtool-", 0), 0u) << p;
    EXPECT_NE(sibling_temp_path("/srv/out/rootfs"), p);
}

TEST(OutputTarget, ATrailingSlashNamesTheSameTarget) {
    EXPECT_EQ(output_target("/srv/out/"), output_target("/srv/out"));
    EXPECT_EQ(sibling_temp_path(output_target("/srv/out/")).parent_path(), "/srv");
}

}  // namespace
}  // namespace boxtool::util
