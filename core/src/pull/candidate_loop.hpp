// Tries each registry candidate in order until one serves the image, keeping each one's reason
// for failing so the final error can list them all.
#pragma once

#include <vector>

#include "boxtool/engine.hpp"
#include "pull/progress_channel.hpp"

namespace boxtool::pull {

// A failure that ends the pull whatever candidates remain: the caller cancelled, or an output
// refused the image (a hostile layer is hostile on every mirror).
class EndOfPull : public Failure {
  public:
    explicit EndOfPull(Error error) : Failure(std::move(error)) {}
};

// Local problems are the same on every candidate: trying the next registry would only hide them.
bool is_local_failure(const Failure& failure);

// One candidate's error as is; several as one error listing each (kind kept when they agree).
Error combine_attempts(const Reference& reference, const std::vector<CandidateAttempt>& attempts);

template <typename Attempt>
auto try_candidates(const Reference& reference, const std::vector<Candidate>& candidates,
                    ProgressChannel& progress, std::vector<CandidateAttempt>& attempts, Attempt&& attempt) {
    for (const auto& cand : candidates) {
        const Reference& at = cand.reference;
        attempts.push_back({at.str(), cand.reason, std::nullopt});
        ProgressEvent start;
        start.type = ProgressEvent::Type::CandidateStart;
        start.registry = at.registry;
        start.repository = at.repository;
        start.message = cand.reason;
        progress.post(std::move(start));
        try {
            return attempt(cand);
        } catch (const EndOfPull&) {
            throw;
        } catch (const Failure& f) {
            if (is_local_failure(f)) throw;
            Error e = f.error();
            if (e.registry.empty()) e.registry = at.registry;
            if (e.repository.empty()) e.repository = at.repository;
            attempts.back().error = e;
            ProgressEvent failed;
            failed.type = ProgressEvent::Type::CandidateFailed;
            failed.registry = at.registry;
            failed.repository = at.repository;
            failed.message = e.message;
            failed.error = e;
            progress.post(std::move(failed));
        }
    }
    throw Failure(combine_attempts(reference, attempts));
}

}  // namespace boxtool::pull
