#include "pipeline/join_answers.h"

#include <memory>
#include <mutex>

namespace th::pipeline {
namespace {

struct Join {
  Join(size_t n, Done d) : remaining(n), done(std::move(d)) {}
  std::mutex mu;
  size_t remaining;
  Status first_error;
  Done done;
};

}  // namespace

Done JoinAnswers(size_t parts, Done done) {
  auto join = std::make_shared<Join>(parts, std::move(done));
  return [join](const Status& s) {
    Status result;
    {
      std::lock_guard<std::mutex> lock(join->mu);
      if (!s.ok() && join->first_error.ok()) join->first_error = s;
      if (--join->remaining != 0) return;
      result = join->first_error;
    }
    join->done(result);  // outside the lock: it may hand on further work
  };
}

}  // namespace th::pipeline
