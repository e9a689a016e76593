// Tries each registry candidate in order until one serves the image, keeping each one's reason
// for failing so the final error can list them all.
#pragma once

#include <vector>

#include "boxtool/engine.hpp"
#include "pull/progress_reporter.hpp"

namespace boxtool::pull {

// Local problems are the same on every candidate: trying the next registry would only hide them.
bool is_local_failure(const Failure& failure);

// One candidate's error as is; several as one error listing each (kind kept when they agree).
Error combine_attempts(const Reference& reference, const std::vector<CandidateAttempt>& attempts);

template <typename Attempt>
auto try_candidates(const Reference& reference, const std::vector<Candidate>& candidates,
                    ProgressReporter& report, std::vector<CandidateAttempt>& attempts, Attempt&& attempt) {
    for (const auto& cand : candidates) {
        const Reference& at = cand.reference;
        attempts.push_back({at.str(), cand.reason, std::nullopt});
        report({ProgressEvent::Type::CandidateStart, at.registry, at.repository, {}, {}, 0, 0, cand.reason});
        try {
            return attempt(cand);
        } catch (const Failure& f) {
            if (is_local_failure(f)) throw;
            Error e = f.error();
            if (e.registry.empty()) e.registry = at.registry;
            if (e.repository.empty()) e.repository = at.repository;
            attempts.back().error = e;
            report(
                {ProgressEvent::Type::CandidateFailed, at.registry, at.repository, {}, {}, 0, 0, e.message});
        }
    }
    throw Failure(combine_attempts(reference, attempts));
}

}  // namespace boxtool::pull
