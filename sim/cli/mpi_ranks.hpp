// A sweep's ranks when launched by mpirun (`mpirun -n N fleetsim sweep ...`, FLEETSIM_MPI
// builds): MPI is initialised only then, and each rank takes every N-th cell. Otherwise, and in
// builds without MPI, the process is the only rank and the collectives return their input.
#pragma once

#include <cstddef>

namespace fleetsim {

class MpiRanks {
 public:
  MpiRanks();  // MPI_Init when launched by mpirun
  ~MpiRanks();  // MPI_Finalize if it was initialised here
  MpiRanks(const MpiRanks&) = delete;
  MpiRanks& operator=(const MpiRanks&) = delete;

  std::size_t rank() const { return rank_; }
  std::size_t size() const { return size_; }
  // Blocks until every rank has called it, sleeping rather than spinning: ranks that finish
  // their share early must not take the cores of the ones still running (oversubscribed).
  void wait_for_all() const;
  std::size_t sum(std::size_t value) const;  // over all ranks
  bool any(bool value) const;                // true on some rank

 private:
  std::size_t rank_ = 0;
  std::size_t size_ = 1;
  [[maybe_unused]] bool initialised_ = false;  // read only in FLEETSIM_MPI builds
};

}  // namespace fleetsim
