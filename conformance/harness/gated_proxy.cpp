#include "harness/gated_proxy.hpp"

#include <stdexcept>

#include "harness/files.hpp"
#include "harness/paths.hpp"
#include "harness/script_server.hpp"

namespace boxtool::harness {

GatedProxy::GatedProxy(const std::string& upstream_url, const std::string& hold_regex)
    : gate_(dir_ / "gate"),
      process_({python().string(), fixture_script("conformance/fixtures/gated_proxy.py").string(),
                "--upstream", upstream_url, "--hold", hold_regex, "--gate", gate_.string()},
               dir_ / "output") {
    auto port = wait_for_announced_port(process_, dir_ / "output", std::chrono::seconds(20));
    if (!port) throw std::runtime_error("the gated proxy did not start: " + read_file(dir_ / "output"));
    host_ = "127.0.0.1:" + std::to_string(*port);
}

GatedProxy::~GatedProxy() {
    open();
}

void GatedProxy::open() {
    write_file(gate_, "go");
}

}  // namespace boxtool::harness
