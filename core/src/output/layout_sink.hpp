// oci:DIR[:TAG] and oci-archive:FILE[:TAG]: an OCI image layout, as a directory or as one tar file.
// Docker schema 2 manifests are rewritten with OCI media types, as `skopeo copy` does (the config
// and layers keep their bytes), because OCI tools such as umoci refuse Docker media types.
#pragma once

#include "boxtool/output.hpp"
#include "output/collecting_sink.hpp"

namespace boxtool::output {

class LayoutSink final : public CollectingSink {
  public:
    explicit LayoutSink(OutputSpec spec) : spec_(std::move(spec)) {}
    std::string describe() const override { return to_string(spec_); }
    Result<OutputReport> finish() override;

  private:
    OutputSpec spec_;
};

}  // namespace boxtool::output
