#include "tls_setup.hpp"

#include <fstream>

#include "boxtool/error.hpp"

namespace boxtool::cli {

TlsOptions tls_options(const Args& args, const ConfigFile& config) {
    TlsOptions tls;
    for (const auto& file : args.all("--ca-file")) {
        // Checked here so a typo is a usage error before any registry is contacted; the engine
        // reads and parses the file when it connects.
        if (!std::ifstream(file))
            throw Failure(ErrorKind::InvalidArgument, "--ca-file " + file + ": cannot open the file",
                          "give a readable PEM file of CA certificates");
        tls.ca_files.emplace_back(file);
    }
    tls.extra_root_certificates = config.extra_root_certificates;
    // The config's folders first: they are the more specific wish. Then docker's and podman's.
    tls.certs_dirs = config.certs_dirs;
    for (auto& dir : default_certs_dirs()) tls.certs_dirs.push_back(std::move(dir));
    return tls;
}

}  // namespace boxtool::cli
