// The progress display in a real terminal: boxtool pull inside tmux at 60 and 120 columns, read
// back with capture-pane (screen and scrollback). Every layer is listed once, no line is wider
// than the terminal, nothing is left behind by redraws (also across a resize while a blob is in
// flight), finished layers are one short line, and the summary comes below the bars.
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "e2e_support.hpp"
#include "harness/gated_proxy.hpp"
#include "harness/images.hpp"
#include "harness/paths.hpp"

namespace boxtool::conformance {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

// One tmux server of our own (its own socket), one window running a shell command.
class Tmux {
  public:
    Tmux(const CliEnv& env, int width, int height) : socket_(env.path("tmux.sock").string()) {
        auto r = tmux({"-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", std::to_string(width), "-y",
                       std::to_string(height), "sh"});
        if (r.exit_code != 0) throw std::runtime_error("tmux did not start: " + r.describe());
        tmux({"set-option", "-g", "history-limit", "5000"});
        tmux({"set-option", "-g", "window-size", "manual"});
    }
    ~Tmux() { tmux({"kill-server"}); }
    harness::RunResult tmux(std::vector<std::string> args) const {
        args.insert(args.begin(), {"tmux", "-S", socket_});
        return harness::run(args, {.timeout = std::chrono::seconds(20)});
    }
    void type(const std::string& command) const { tmux({"send-keys", "-t", "t", command, "Enter"}); }
    // Scrollback and screen, lines as the terminal holds them (wrapped lines stay separate rows).
    std::string capture() const { return tmux({"capture-pane", "-p", "-t", "t", "-S", "-", "-E", "-"}).out; }
    std::string screen() const { return tmux({"capture-pane", "-p", "-t", "t"}).out; }
    void resize(int width) const { tmux({"resize-window", "-t", "t", "-x", std::to_string(width)}); }
    bool wait_for(const std::string& text, std::chrono::seconds limit = std::chrono::seconds(60)) const {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (capture().find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }

  private:
    std::string socket_;
};

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

class TtyProgressTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        registry = new harness::RegistryServer();
        registry->start();
        CliEnv seed;
        image = new harness::ImageInfo(harness::make_and_push(
            {.out = seed.path("src"), .tag = "v1", .layers = 8, .layer_size = 256 * 1024, .random = true},
            registry->host(), "tty/app:v1"));
    }
    static void TearDownTestSuite() {
        delete registry;
        delete image;
    }
    std::vector<std::string> layer_ids() const {
        std::vector<std::string> out;
        for (const auto& l : image->manifests[0].layers) out.push_back(l.digest.substr(7, 12));
        return out;
    }
    // The pull as typed in the terminal, then its exit code on a line of its own. The echo is typed
    // as "EXIT""=$?" so that the command line itself never matches a wait for "EXIT=".
    std::string command(const std::string& host, const std::vector<std::string>& extra = {}) const {
        std::string cmd = "HOME=" + shell_quote(env.home().string()) + " " +
                          shell_quote(harness::boxtool_binary().string()) + " pull " + host +
                          "/tty/app:v1 --insecure-registry " + host + " --store " +
                          shell_quote(env.store().string()) + " --output " +
                          shell_quote("oci:" + env.path("out").string() + ":v1");
        for (const auto& e : extra) cmd += " " + shell_quote(e);
        return cmd + "; echo \"EXIT\"\"=$?\"";
    }
    void expect_clean(const std::string& all, int width) const {
        for (const auto& id : layer_ids())
            EXPECT_EQ(count(all, id), 1u) << "layer " << id << " is not shown exactly once:\n" << all;
        for (const auto& line : lines_of(all))
            EXPECT_LE(line.size(), static_cast<std::size_t>(width)) << "wider than the terminal: " << line;
        EXPECT_EQ(count(all, "Total "), 1u) << "the total line was left behind:\n" << all;
        auto wrote = all.find("wrote oci:");
        auto pulled = all.find("Pulled ");
        auto last_bar = all.rfind(layer_ids().back());
        ASSERT_NE(wrote, std::string::npos) << all;
        ASSERT_NE(pulled, std::string::npos) << all;
        EXPECT_LT(last_bar, wrote) << "the output line is above the bars:\n" << all;
        EXPECT_LT(wrote, pulled) << all;
        EXPECT_EQ(all.find("GiB/s"), std::string::npos) << "an absurd rate:\n" << all;
    }
    static inline harness::RegistryServer* registry = nullptr;
    static inline harness::ImageInfo* image = nullptr;
    CliEnv env;
};

TEST_F(TtyProgressTest, NarrowAndWideTerminalsKeepOneLinePerLayer) {
    for (int width : {60, 120}) {
        CliEnv run_env;
        Tmux term(run_env, width, 40);
        std::filesystem::remove_all(env.store());
        std::filesystem::remove_all(env.path("out"));
        term.type(command(registry->host()));
        ASSERT_TRUE(term.wait_for("EXIT=")) << term.capture();
        std::string all = term.capture();
        EXPECT_NE(all.find("EXIT=0"), std::string::npos) << all;
        expect_clean(all, width);
        // Every layer ends as one short line without a bar.
        for (const auto& line : lines_of(all))
            if (line.find(layer_ids().front()) != std::string::npos) {
                EXPECT_NE(line.find("done"), std::string::npos) << line;
                EXPECT_EQ(line.find('['), std::string::npos) << "a finished layer still has a bar: " << line;
            }
    }
}

TEST_F(TtyProgressTest, StoreHitsSayAlreadyPresent) {
    Tmux term(env, 100, 40);
    term.type(command(registry->host()));
    ASSERT_TRUE(term.wait_for("EXIT=0")) << term.capture();
    term.type("clear; tmux -S " + shell_quote(env.path("tmux.sock").string()) + " clear-history");
    std::filesystem::remove_all(env.path("out"));
    term.type(command(registry->host()));
    ASSERT_TRUE(term.wait_for("EXIT=0")) << term.capture();
    std::string all = term.capture();
    EXPECT_GE(count(all, "already present"), layer_ids().size()) << all;
    // What boxtool printed, after the command line (whose --store path has a "/s" of its own).
    const std::string printed = all.substr(std::min(all.find("trying "), all.size()));
    EXPECT_EQ(printed.find("/s"), std::string::npos) << "a rate for nothing downloaded:\n" << all;
}

TEST_F(TtyProgressTest, ResizeWhileABlobIsInFlightLeavesNoCopies) {
    const std::string held = image->manifests[0].layers[3].digest;
    harness::GatedProxy gate(registry->url(), "/blobs/" + held);
    Tmux term(env, 120, 40);
    term.type(command(gate.host()));
    // Every layer is listed from the start, waiting ones included.
    ASSERT_TRUE(term.wait_for(layer_ids().back())) << term.capture();
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    std::string during = term.screen();
    for (const auto& id : layer_ids())
        EXPECT_EQ(count(during, id), 1u) << id << " while pulling:\n" << during;
    EXPECT_NE(during.find("Total "), std::string::npos) << during;
    term.resize(60);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    term.resize(90);
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    gate.open();
    ASSERT_TRUE(term.wait_for("EXIT=")) << term.capture();
    std::string all = term.capture();
    EXPECT_NE(all.find("EXIT=0"), std::string::npos) << all;
    for (const auto& id : layer_ids())
        EXPECT_EQ(count(all, id), 1u) << "copies of " << id << " after a resize:\n" << all;
    EXPECT_EQ(count(all, "Total "), 1u) << all;
}

}  // namespace
}  // namespace boxtool::conformance
