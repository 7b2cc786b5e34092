// Reads the scenario's `failures:` and `checkpoint:` sections (schema in configs/README.md).
#pragma once

#include "sim/failure/failure_config.hpp"
#include "sim/io/config_node.hpp"

namespace fleetsim {

// Throws ConfigError naming file, line and field for anything wrong.
FailureConfig load_failure_config(const ConfigNode& node);
CheckpointConfig load_checkpoint_config(const ConfigNode& node);

}  // namespace fleetsim
