/// \file
/// A secret that cannot be printed by accident: no stream operator, no implicit conversion,
/// and its memory is wiped when it goes away.
///
///     boxtool::Credential c;
///     c.password = boxtool::Secret(read_password());
///     send(c.password.reveal());   // the only way out, easy to find in a review
#pragma once

#include <string>
#include <string_view>
#include "boxtool/export.hpp"

namespace boxtool {

class BOXTOOL_API Secret {
  public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}
    Secret(const Secret&) = default;
    Secret(Secret&&) noexcept = default;
    Secret& operator=(const Secret& other);
    Secret& operator=(Secret&& other) noexcept;
    ~Secret();

    bool empty() const noexcept { return value_.empty(); }
    /// The only way to read the value: the name makes every use easy to audit.
    std::string_view reveal() const noexcept { return value_; }
    /// What to show in its place.
    static constexpr std::string_view redacted() noexcept { return "<redacted>"; }

  private:
    void wipe() noexcept;
    std::string value_;
};

}  // namespace boxtool
