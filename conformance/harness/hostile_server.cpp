#include "harness/hostile_server.hpp"

#include <filesystem>

#include "harness/files.hpp"

namespace boxtool::harness {

HostileServer::HostileServer(HostileServerOptions options)
    : ScriptServer("hostile server", "boxtool-hostile", "requests.log", "hostile_server.out"),
      options_(std::move(options)) {}

void HostileServer::start() {
    write_file(file("raw.bin"), "");
    std::filesystem::remove(file("other-port"));
    std::vector<std::string> args = {"--raw",       file("raw.bin").string(), "--mode",
                                     options_.mode, "--other-port-file",      file("other-port").string()};
    if (!options_.variant.empty()) args.insert(args.end(), {"--variant", options_.variant});
    launch("conformance/fixtures/hostile_server.py", args, options_.start_timeout);
    if (std::filesystem::exists(file("other-port"))) other_port_ = std::stoi(read_file(file("other-port")));
}

std::string HostileServer::received() const {
    return read_file(file("raw.bin"));
}

}  // namespace boxtool::harness
