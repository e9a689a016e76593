// The TLS trust settings of the command line: --ca-file, and the config file's
// extra_root_certificates and certs_dirs, followed by the system certs.d folders.
#pragma once

#include "args.hpp"
#include "boxtool/tls.hpp"
#include "config_file.hpp"

namespace boxtool::cli {

// Throws Failure(InvalidArgument) for a --ca-file that cannot be read.
TlsOptions tls_options(const Args& args, const ConfigFile& config);

}  // namespace boxtool::cli
