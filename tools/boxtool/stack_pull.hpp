// `boxtool pull --compose FILE [--compose FILE ...]`: every image of a compose stack, pulled at
// once by one Engine into the shared store (layers shared between images are downloaded once), each
// through the usual policy, credential chain and links, TLS and retries; optionally written to one
// OCI layout with an entry per service. Ends with a summary table (or JSON events); the exit code
// is non-zero when any image failed, and the images that succeeded stay pulled.
#pragma once

#include "args.hpp"
#include "progress_view.hpp"

namespace boxtool::cli {

// `jobs`: concurrent blob downloads per image (--jobs; 0 for the default).
int pull_stack(const Args& args, ProgressMode mode, int jobs);

}  // namespace boxtool::cli
