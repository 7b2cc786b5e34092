// A workload held in memory: for tests, for library users who build jobs in code, and for trace
// readers that must sort their rows before streaming them.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "sim/workload/workload_source.hpp"

namespace fleetsim {

class VectorSource final : public WorkloadSource {
 public:
  // Stable-sorts by submit time, so jobs with equal submit keep their given order.
  explicit VectorSource(std::vector<JobSpec> jobs, std::string origin_file = "<memory>")
      : jobs_(std::move(jobs)), origin_file_(std::move(origin_file)) {
    std::stable_sort(jobs_.begin(), jobs_.end(),
                     [](const JobSpec& a, const JobSpec& b) { return a.submit < b.submit; });
  }

  bool read_next(JobSpec& job) override {
    if (next_ == jobs_.size()) return false;
    job = std::move(jobs_[next_++]);
    return true;
  }
  SourcePos origin(const JobSpec& job) const override {
    return {origin_file_, static_cast<int>(job.source_line), 0};
  }
  std::size_t size() const { return jobs_.size(); }
  std::optional<std::size_t> size_hint() const override { return jobs_.size() - next_; }

 private:
  std::vector<JobSpec> jobs_;
  std::string origin_file_;
  std::size_t next_ = 0;
};

}  // namespace fleetsim
