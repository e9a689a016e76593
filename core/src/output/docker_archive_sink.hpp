// docker-archive:FILE[:NAME:TAG]: the tarball `docker save` writes and `docker load` and
// `podman load` read, with layers stored uncompressed under their diff_ids.
#pragma once

#include "boxtool/output.hpp"
#include "output/collecting_sink.hpp"

namespace boxtool::output {

class DockerArchiveSink final : public CollectingSink {
  public:
    explicit DockerArchiveSink(OutputSpec spec) : spec_(std::move(spec)) {}
    std::string describe() const override { return to_string(spec_); }
    Result<OutputReport> finish() override;

  private:
    OutputSpec spec_;
};

}  // namespace boxtool::output
