#include "pull/candidate_loop.hpp"

#include <set>

namespace boxtool::pull {

bool is_local_failure(const Failure& f) {
    auto k = f.error().kind;
    return k == ErrorKind::Io || k == ErrorKind::InvalidArgument || k == ErrorKind::Internal ||
           k == ErrorKind::Cancelled;
}

Error combine_attempts(const Reference& ref, const std::vector<CandidateAttempt>& attempts) {
    if (attempts.size() == 1 && attempts[0].error) return *attempts[0].error;
    std::string msg = "cannot pull " + ref.str() + ": every candidate registry failed:";
    std::set<ErrorKind> kinds;
    for (const auto& a : attempts) {
        msg += "\n  - " + a.candidate + " (" + a.reason + "): " + (a.error ? a.error->message : "no error");
        if (a.error) kinds.insert(a.error->kind);
    }
    Error e{kinds.size() == 1 ? *kinds.begin() : ErrorKind::AllCandidatesFailed,
            msg,
            {},
            ref.repository,
            "each candidate's reason is listed above; fix the registry you expected to serve the image, or "
            "change the order with --registry"};
    if (kinds.size() == 1 && attempts.back().error && !attempts.back().error->hint.empty())
        e.hint = attempts.back().error->hint;
    return e;
}

}  // namespace boxtool::pull
