// What every fuzz target checks: an input either loads or is rejected with a ConfigError whose
// message is one non-empty line. Anything else is a finding: another exception or a broken
// invariant aborts here (libFuzzer saves the input); crashes, -timeout and -rss_limit_mb are
// libFuzzer's own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace fleetsim::fuzz {

// Runs `load`: true if it returned, false if it threw a well-formed ConfigError. Aborts on an
// empty or multi-line ConfigError message and on any other exception.
bool loads_or_rejects(const std::function<void()>& load);

// Aborts with `what` unless `condition`: for invariants a loaded result must keep.
void require(bool condition, const std::string& what);

// FLEETSIM_SOURCE_DIR + "/" + `relative`: the shipped configs and test data the targets use.
std::string source_path(const std::string& relative);

// A file of this process in the temp folder, rewritten with each input: the loaders under test
// read paths, not buffers. Removed at exit.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& suffix);
  ~ScratchFile();
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  void write(const std::uint8_t* data, std::size_t size) const;
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace fleetsim::fuzz
