// jobs.csv: one row per training job. Rows are added in any order (as jobs finish, then the
// unfinished ones at the end of the run) and written by job id, so the run need not keep every
// job's 472-byte record to the end: a row is kept as ~170 bytes of text, in chunks that never
// move (a million-job run's text is ~170 MB; a growing string would copy it and fault in fresh
// pages at each doubling).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "sim/core/ids.hpp"
#include "sim/fleet/topology.hpp"
#include "sim/workload/job.hpp"

namespace fleetsim {

class JobsCsv {
 public:
  JobsCsv() = default;  // no rows
  // Keeps the fleet's GPU type and site names: the rows outlive the fleet.
  explicit JobsCsv(const Fleet& fleet);

  // Room for `jobs` ids, so that the index is not copied as it grows.
  void reserve(std::size_t jobs);
  // Formats `job`'s row as it stands now. Each id at most once.
  void add(JobId id, const Job& job);
  std::size_t rows() const { return rows_; }
  // The header and the rows by id. The elastic columns (min_gpus,max_gpus,gpu_s,resizes) and
  // the fractional one (gpu_milli) are there only when some job is elastic or fractional, so
  // other runs keep their exact bytes.
  void write(std::ostream& out) const;
  std::string text() const;  // what write() writes

 private:
  // A row's text up to its optional columns, and what those columns would hold.
  struct Row {
    std::uint64_t offset = 0;
    std::uint32_t length = 0;  // 0: no row under this id (an inference replica)
    std::uint32_t min_gpus = 0;
    std::uint32_t max_gpus = 0;
    std::uint32_t resizes = 0;
    double gpu_seconds = 0;
    std::uint16_t gpu_milli = 0;
  };

  static constexpr std::size_t kChunkBytes = std::size_t{8} << 20;

  std::vector<std::string> type_names_;  // as CSV cells
  std::vector<std::string> site_names_;
  // Rows in the order added; Row::offset / kChunkBytes is the chunk. A row never straddles two.
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t chunk_used_ = kChunkBytes;  // bytes used in the last chunk (full: none yet)
  std::vector<Row> by_id_;                // [id]
  std::size_t rows_ = 0;
  bool elastic_ = false;
  bool fractional_ = false;
};

}  // namespace fleetsim
