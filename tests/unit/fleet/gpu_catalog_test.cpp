// GpuCatalog: lookup by name and the relative-speed fallbacks (job class, "default", TFLOPS).
#include "sim/fleet/gpu_catalog.hpp"

#include <gtest/gtest.h>

#include "sim/core/error.hpp"

namespace fleetsim {
namespace {

GpuCatalog catalog() {
  GpuType h100{"H100", 1000, 80, 700, 72, 0, {}};
  GpuType a100{"A100", 300, 80, 400, 50, 0, {{"default", 0.5}, {"llm", 0.25}}};
  GpuType l40{"L40", 250, 48, 300, 30, 0, {}};  // no speeds listed: TFLOPS ratio 250 / 1000
  return GpuCatalog({h100, a100, l40}, "H100");
}

TEST(GpuCatalog, FindsTypesByName) {
  const GpuCatalog c = catalog();
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.find("A100"), GpuTypeId{1});
  EXPECT_FALSE(c.find("a100").has_value());  // names are case-sensitive
  EXPECT_EQ(c.reference(), GpuTypeId{0});
  EXPECT_EQ(c.type(GpuTypeId{2}).name, "L40");
}

TEST(GpuCatalog, SpeedPrefersJobClassThenDefaultThenTflopsRatio) {
  const GpuCatalog c = catalog();
  EXPECT_DOUBLE_EQ(c.speed(GpuTypeId{1}, "llm"), 0.25);
  EXPECT_DOUBLE_EQ(c.speed(GpuTypeId{1}, "vision"), 0.5);
  EXPECT_DOUBLE_EQ(c.speed(GpuTypeId{2}, "llm"), 0.25);  // 250 / 1000
  EXPECT_DOUBLE_EQ(c.speed(GpuTypeId{0}, "llm"), 1.0);   // the reference itself
}

TEST(GpuCatalog, ReferenceMustBeACatalogType) {
  EXPECT_THROW(GpuCatalog({GpuType{"H100", 1000, 80, 700, 72, 0, {}}}, "B200"), InternalError);
}

}  // namespace
}  // namespace fleetsim
