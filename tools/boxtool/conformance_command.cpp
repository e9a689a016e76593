#include "commands.hpp"
#include "args.hpp"
namespace boxtool::cli {
int conformance_command(const std::vector<std::string>&) { throw UsageError("not yet"); }
}
