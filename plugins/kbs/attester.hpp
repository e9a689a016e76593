// Where the evidence comes from. The KBS protocol is the same for every TEE; only the "tee" name
// and the evidence differ, so a real attester (TDX, SNP...) is one more class behind this interface.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace boxtool::plugins::kbs {

class Attester {
  public:
    virtual ~Attester() = default;
    // The "tee" of the KBS Request, e.g. "sample", "tdx", "snp".
    virtual std::string tee() const = 0;
    // The evidence (a JSON value, as text) binding `report_data`: the hash of the runtime data.
    virtual std::string evidence(std::string_view report_data) const = 0;
    // True for attesters whose evidence proves nothing about the machine (logged at every use).
    virtual bool proves_nothing() const noexcept { return false; }
};

// The "sample" attester of Confidential Containers: {"svn":"1","report_data":BASE64}. No hardware
// signs it, so any program can produce it; it exists to test a KBS and its policies.
class SampleAttester final : public Attester {
  public:
    std::string tee() const override { return "sample"; }
    std::string evidence(std::string_view report_data) const override;
    bool proves_nothing() const noexcept override { return true; }
};

// The attester named by the "attester" setting. Throws std::runtime_error for an unknown name, and
// for "sample" unless `allow_sample` (the "allow_sample_attester" setting) is true.
std::unique_ptr<Attester> make_attester(const std::string& name, bool allow_sample);

}  // namespace boxtool::plugins::kbs
