// FGD's fragmentation measure (sim/model/fragmentation.hpp), by hand on one node's GPUs.
#include "sim/model/fragmentation.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace fleetsim {
namespace {

const GpuTypeId kType{0};

TEST(Fragmentation, ClassFragmentIsWhatTheTaskCannotUse) {
  // Room per GPU: one free, one half used, one held whole, one with 200 left: 1,700 in all.
  const std::vector<std::uint32_t> room = {1000, 500, 0, 200};
  // A 300 share runs (the free GPU holds it); it cannot use the 200 left on GPU 3.
  EXPECT_DOUBLE_EQ(class_fragment(room, kType, {300, ~0ULL, 1}), 200.0);
  // A whole GPU runs on GPU 0; the partly used 500 and 200 are fragments.
  EXPECT_DOUBLE_EQ(class_fragment(room, kType, {1000, ~0ULL, 1}), 700.0);
  // Two whole GPUs do not fit (one free GPU): everything unallocated is a fragment.
  EXPECT_DOUBLE_EQ(class_fragment(room, kType, {2000, ~0ULL, 1}), 1700.0);
  // A share bigger than every room left but the free GPU's: only 500 and 200 are fragments.
  EXPECT_DOUBLE_EQ(class_fragment(room, kType, {600, ~0ULL, 1}), 700.0);
  // A task that may not use this GPU type: everything.
  EXPECT_DOUBLE_EQ(class_fragment(room, kType, {300, 0b10, 1}), 1700.0);
  // No GPU with room for 600 and none free: everything.
  EXPECT_DOUBLE_EQ(class_fragment(std::vector<std::uint32_t>{500, 200}, kType, {600, ~0ULL, 1}),
                   700.0);
}

TEST(Fragmentation, NodeFragmentWeighsClassesByPopularity) {
  const std::vector<std::uint32_t> room = {1000, 500, 0, 200};
  // 0.5 x 200 + 0.25 x 700 + 0.25 x 1,700 = 100 + 175 + 425 = 700 milli-GPUs.
  const std::vector<TaskClass> mix = {{300, ~0ULL, 0.5}, {1000, ~0ULL, 0.25},
                                      {2000, ~0ULL, 0.25}};
  EXPECT_DOUBLE_EQ(node_fragment(room, kType, mix), 700.0);
}

TEST(Fragmentation, TaskMixCountsArrivedClasses) {
  TaskMix mix;
  EXPECT_TRUE(mix.empty());
  JobSpec share;
  share.gpu_milli = 500;
  JobSpec pair;
  pair.gpus = 2;
  mix.add(share);
  mix.add(share);
  mix.add(pair);
  EXPECT_TRUE(mix.has_shares());
  const std::vector<TaskClass>& classes = mix.classes();
  ASSERT_EQ(classes.size(), 2u);
  EXPECT_EQ(classes[0].demand_milli, 500u);
  EXPECT_DOUBLE_EQ(classes[0].popularity, 2.0 / 3.0);
  EXPECT_EQ(classes[1].demand_milli, 2000u);
  EXPECT_DOUBLE_EQ(classes[1].popularity, 1.0 / 3.0);
}

}  // namespace
}  // namespace fleetsim
