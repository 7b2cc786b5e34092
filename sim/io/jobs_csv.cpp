#include "sim/io/jobs_csv.hpp"

#include <cstring>
#include <iterator>
#include <sstream>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/huge_pages.hpp"
#include "sim/io/csv_cell.hpp"
#include "sim/metrics/job_outcome.hpp"
#include "sim/workload/gpu_share.hpp"

namespace fleetsim {

JobsCsv::JobsCsv(const Fleet& fleet) {
  // Quoted once here, not once per row.
  for (const GpuType& type : fleet.catalog.types()) type_names_.push_back(csv_cell(type.name));
  for (const Site& site : fleet.topology.sites()) site_names_.push_back(csv_cell(site.name));
}

void JobsCsv::reserve(std::size_t jobs) { by_id_.reserve(jobs); }

void JobsCsv::add(JobId id, const Job& j) {
  if (id.index() >= by_id_.size()) by_id_.resize(id.index() + 1);
  Row& row = by_id_[id.index()];
  FLEETSIM_CHECK(row.length == 0, "job id {} added to jobs.csv twice", id.value);
  // Formatted on the stack, then copied once into the chunk.
  fmt::memory_buffer line;
  const auto out = std::back_inserter(line);
  const auto seconds = [&](SimTime t) { fmt::format_to(out, "{:.6f}", to_seconds(t)); };
  const bool started = j.first_start != kTimeNever;
  const bool done = j.state == JobState::Done;
  fmt::format_to(out, "{},{},{},{},", csv_cell(j.spec.name), csv_cell(j.spec.tenant),
                 j.spec.gpus, started ? std::string_view(type_names_.at(j.gpu_type.index())) : "");
  seconds(j.spec.submit);
  line.push_back(',');
  if (started) seconds(j.first_start);
  line.push_back(',');
  if (done) seconds(j.end);
  line.push_back(',');
  if (started) seconds(j.first_start - j.spec.submit);
  line.push_back(',');
  if (done) seconds(j.end - j.spec.submit);
  line.push_back(',');
  seconds(j.run_time);
  fmt::format_to(out, ",{},{},{},{},{},{},{},", j.preemptions, j.span.nodes, j.span.racks,
                 j.span.clusters, j.span.sites, outcome_name(outcome_of(j)), j.interruptions);
  seconds(j.lost_time);
  line.push_back(',');
  seconds(j.checkpoint_time);
  line.push_back(',');
  seconds(j.restart_time);
  fmt::format_to(out, ",{},",
                 j.site.valid() ? std::string_view(site_names_.at(j.site.index())) : "");
  seconds(j.staging_time);
  line.push_back(',');
  seconds(j.held);
  FLEETSIM_CHECK(line.size() <= kChunkBytes, "job id {}'s jobs.csv row has {} bytes", id.value,
                 line.size());
  if (chunk_used_ + line.size() > kChunkBytes) {
    // Uninitialised: its pages are faulted in (huge where the kernel allows) as rows fill it.
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(kChunkBytes));
    advise_huge_pages(chunks_.back().get(), kChunkBytes);
    chunk_used_ = 0;
  }
  std::memcpy(chunks_.back().get() + chunk_used_, line.data(), line.size());
  row.offset = (chunks_.size() - 1) * kChunkBytes + chunk_used_;
  row.length = static_cast<std::uint32_t>(line.size());
  chunk_used_ += line.size();
  row.min_gpus = j.spec.min_gang();
  row.max_gpus = j.spec.max_gang();
  row.resizes = j.resizes;
  row.gpu_seconds = j.gpu_seconds;
  row.gpu_milli = j.spec.gpu_milli;
  elastic_ = elastic_ || j.spec.elastic();
  fractional_ = fractional_ || j.spec.gpu_milli < kMilliPerGpu;
  ++rows_;
}

void JobsCsv::write(std::ostream& out) const {
  out << "job_id,tenant,gpus,gpu_type,submit_s,first_start_s,end_s,queue_delay_s,jct_s,"
         "run_time_s,preemptions,nodes,racks,clusters,sites,outcome,interruptions,lost_s,"
         "checkpoint_s,restart_s,site,staging_s,held_s";
  if (elastic_) out << ",min_gpus,max_gpus,gpu_s,resizes";
  if (fractional_) out << ",gpu_milli";
  out << '\n';
  fmt::memory_buffer optional;
  for (const Row& row : by_id_) {
    if (row.length == 0) continue;
    const char* text = chunks_[row.offset / kChunkBytes].get() + row.offset % kChunkBytes;
    out.write(text, static_cast<std::streamsize>(row.length));
    optional.clear();
    if (elastic_) {
      fmt::format_to(std::back_inserter(optional), ",{},{},{:.6f},{}", row.min_gpus,
                     row.max_gpus, row.gpu_seconds, row.resizes);
    }
    if (fractional_) fmt::format_to(std::back_inserter(optional), ",{}", row.gpu_milli);
    optional.push_back('\n');
    out.write(optional.data(), static_cast<std::streamsize>(optional.size()));
  }
}

std::string JobsCsv::text() const {
  std::ostringstream out;
  write(out);
  return std::move(out).str();
}

}  // namespace fleetsim
