// What a queue walk's visitor tells it to do next (QueuedByShape, BackfillQueue).
#pragma once

#include <cstdint>

namespace fleetsim::detail {

enum class WalkStep : std::uint8_t {
  next,        // go on with the next job
  skip_shape,  // no later job of its bucket needs a visit in this pass (e.g. none would fit)
  stop,        // end the walk
};

}  // namespace fleetsim::detail
