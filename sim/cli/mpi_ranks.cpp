#include "sim/cli/mpi_ranks.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>

#ifdef FLEETSIM_MPI
#include <mpi.h>

#include <thread>
#endif

namespace fleetsim {
namespace {

// mpirun sets these (OpenMPI; PMI for MPICH-style launchers): a plain `fleetsim sweep` never
// starts MPI, so single-machine runs and in-process tests need no MPI runtime.
[[maybe_unused]] bool launched_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMI_SIZE") != nullptr;
}

}  // namespace

#ifdef FLEETSIM_MPI

MpiRanks::MpiRanks() {
  int already = 0;
  MPI_Initialized(&already);
  if (!launched_by_mpirun() || already) return;
  MPI_Init(nullptr, nullptr);
  initialised_ = true;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  rank_ = static_cast<std::size_t>(rank);
  size_ = static_cast<std::size_t>(size);
}

MpiRanks::~MpiRanks() {
  if (initialised_) MPI_Finalize();
}

void MpiRanks::wait_for_all() const {
  if (!initialised_) return;
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Ibarrier(MPI_COMM_WORLD, &request);
  for (int done = 0; MPI_Test(&request, &done, MPI_STATUS_IGNORE), done == 0;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::size_t MpiRanks::sum(std::size_t value) const {
  if (!initialised_) return value;
  auto mine = static_cast<std::uint64_t>(value);
  std::uint64_t total = 0;
  MPI_Allreduce(&mine, &total, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  return static_cast<std::size_t>(total);
}

bool MpiRanks::any(bool value) const {
  if (!initialised_) return value;
  int mine = value ? 1 : 0, result = 0;
  MPI_Allreduce(&mine, &result, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return result != 0;
}

#else

MpiRanks::MpiRanks() = default;
MpiRanks::~MpiRanks() = default;
void MpiRanks::wait_for_all() const {}
std::size_t MpiRanks::sum(std::size_t value) const { return value; }
bool MpiRanks::any(bool value) const { return value; }

#endif

}  // namespace fleetsim
