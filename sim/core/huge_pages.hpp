// Asks the kernel to back a large, not yet touched buffer with transparent huge pages. The job
// table is written once per arriving job in fresh memory: with 4 KiB pages every 12th arrival
// takes a page fault, which costs more than the rest of the arrival. A hint only: where THP is
// off (or not Linux) nothing changes, and results never depend on it.
#pragma once

#include <cstddef>

namespace fleetsim {

void advise_huge_pages(void* data, std::size_t bytes);

}  // namespace fleetsim
