// FreeCapacity: the per-pass scratch over the engine's index. Everything taken or released
// through it is journaled and undone, so after a pass the index is exactly as before.
#include "sim/policy/free_capacity.hpp"

#include <gtest/gtest.h>

#include <boost/random/uniform_int_distribution.hpp>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/core/power_ledger.hpp"
#include "sim/policy/site_selection.hpp"
#include "tests/unit/fleet/capacity_recount.hpp"
#include "tests/unit/placement/placement_fixture.hpp"

namespace fleetsim {
namespace {

using test::gang;
using test::kA100;
using test::kH100;
using test::slices;

TEST(FreeCapacity, GoingOutOfScopeRestoresTheIndexExactly) {
  // site0: 2 racks x 2 nodes x 8 H100 (n0-n3); site1: 1 rack x 2 nodes x 4 A100 (n4, n5).
  test::PlacementBed bed(test::fleet_of({{0, 2, 2, 8, "H100"}, {1, 1, 2, 4, "A100"}}));
  bed.occupy(1, 0xF0);  // a running job's GPUs
  bed.occupy(4, 0x3);
  const std::vector<std::uint64_t> before = test::free_masks(bed.index());
  const auto first_fit = test::make_placement("first_fit");
  const auto topology = test::make_placement("topology");
  {
    FreeCapacity free(bed.index(), *first_fit);
    ASSERT_TRUE(free.take(gang(10)).has_value());
    ASSERT_TRUE(free.take_with(*topology, gang(3, {kA100})).has_value());
    free.release(slices({{1, 0xF0}}));  // plan the running job's preemption
    ASSERT_TRUE(free.take(gang(9)).has_value());
    EXPECT_NE(test::free_masks(bed.index()), before);
  }
  EXPECT_EQ(test::recount_mismatch(bed.index(), before), "");
}

TEST(FreeCapacity, RollbackToAMarkUndoesOnlyWhatCameAfterIt) {
  test::PlacementBed bed(test::single_cluster_fleet(1, 2, 8));
  const auto placement = test::make_placement("first_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.take(gang(3)), slices({{0, 0x07}}));
  const std::size_t mark = free.mark();
  EXPECT_EQ(free.take(gang(6)), slices({{0, 0xF8}, {1, 0x01}}));
  free.release(slices({{0, 0x07}}));
  EXPECT_EQ(free.total_free(), 10u);  // 16 - 3 - 6 + 3
  free.rollback(mark);
  EXPECT_EQ(test::recount_mismatch(bed.index(), {0xF8, 0xFF}), "");
  free.rollback(0);
  EXPECT_EQ(test::recount_mismatch(bed.index(), {0xFF, 0xFF}), "");
}

TEST(FreeCapacity, ReleasingARunningJobsGpusLetsAGangTakeThem) {
  test::PlacementBed bed(test::single_cluster_fleet(1, 1, 8));
  bed.occupy(0, 0xFF);
  const auto placement = test::make_placement("best_fit");
  {
    FreeCapacity free(bed.index(), *placement);
    EXPECT_EQ(free.take(gang(8)), std::nullopt);
    free.release(slices({{0, 0xFF}}));
    EXPECT_EQ(free.take(gang(8)), slices({{0, 0xFF}}));
  }
  EXPECT_EQ(bed.index().free_mask(NodeId{0}), 0u);  // still held by the running job
}

TEST(FreeCapacity, TakeThatDoesNotFitReturnsNulloptAndJournalsNothing) {
  test::PlacementBed bed(test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}}));
  for (const PlacementInfo& info : registered_placements()) {
    const auto placement = info.make();
    FreeCapacity free(bed.index(), *placement);
    EXPECT_EQ(free.take(gang(17)), std::nullopt) << info.name;          // more than the fleet
    EXPECT_EQ(free.take(gang(9)), std::nullopt) << info.name;           // more than one site
    EXPECT_EQ(free.take(gang(1, {kA100})), std::nullopt) << info.name;  // no A100s at all
    EXPECT_EQ(free.mark(), 0u) << info.name;
    EXPECT_EQ(test::recount_mismatch(bed.index(), {0xFF, 0xFF}), "") << info.name;
  }
}

TEST(FreeCapacity, FreeForCountsOnlyTheJobsAllowedTypes) {
  // 16 H100 + 4 A100, with 3 H100 and 1 A100 busy.
  test::PlacementBed bed(test::fleet_of({{0, 1, 2, 8, "H100"}, {0, 1, 1, 4, "A100"}}));
  bed.occupy(0, 0x7);
  bed.occupy(2, 0x1);
  const auto placement = test::make_placement("first_fit");
  const FreeCapacity free(bed.index(), *placement);
  EXPECT_EQ(free.free_for(gang(1)), 16u);  // 13 + 3
  EXPECT_EQ(free.free_for(gang(1, {kH100})), 13u);
  EXPECT_EQ(free.free_for(gang(1, {kA100})), 3u);
  EXPECT_EQ(free.free_for(gang(1, {kA100, kH100})), 16u);
}

TEST(FreeCapacity, FailedPrimitiveTakeLeavesTheJournalUnchanged) {
  test::PlacementBed bed(test::single_cluster_fleet(1, 1, 8));
  bed.occupy(0, 0x1);
  const auto placement = test::make_placement("first_fit");
  {
    FreeCapacity free(bed.index(), *placement);
    free.take(NodeId{0}, 0x2);
    EXPECT_THROW(free.take(NodeId{0}, 0x3), InternalError);     // GPU 0 is busy, GPU 1 taken
    EXPECT_THROW(free.release(NodeId{0}, 0x4), InternalError);  // GPU 2 is free
    EXPECT_EQ(free.mark(), 1u);
  }
  EXPECT_EQ(bed.index().free_mask(NodeId{0}), 0xFEu);
}

TEST(FreeCapacity, AFailedShapeFailsAgainWithoutPlacingUntilCapacityGrows) {
  // Two sites of one 4-GPU node, 3 free GPUs each: a 4-GPU gang fits at no site.
  test::PlacementBed bed(test::fleet_of({{0, 1, 1, 4}, {1, 1, 1, 4}}));
  bed.occupy(0, 0x1);
  bed.occupy(1, 0x1);
  const auto placement = test::make_placement("first_fit");
  FreeCapacity free(bed.index(), *placement);
  EXPECT_FALSE(free.take(test::gang(4)));
  EXPECT_EQ(free.memo_hits(), 0u);
  EXPECT_FALSE(free.take(test::gang(4)));  // same shape: answered by the memo
  EXPECT_EQ(free.memo_hits(), 1u);
  // A different shape is placed: 2 GPUs fit, and taking them keeps the memo (capacity shrank).
  ASSERT_TRUE(free.take(test::gang(2)));
  EXPECT_FALSE(free.take(test::gang(4)));
  EXPECT_EQ(free.memo_hits(), 2u);
  // A release forgets it: the 4-GPU gang is tried again and fits at the site the 2-GPU gang
  // left alone.
  free.release(NodeId{0}, 0x1);
  free.release(NodeId{1}, 0x1);
  ASSERT_TRUE(free.take(test::gang(4)));
  EXPECT_EQ(free.memo_hits(), 2u);
}

TEST(FreeCapacity, ARollbackForgetsFailuresOnlyWhenItUndoesATake) {
  // Two sites of one 4-GPU node, 3 free GPUs each.
  test::PlacementBed bed(test::fleet_of({{0, 1, 1, 4}, {1, 1, 1, 4}}));
  bed.occupy(0, 0x1);
  bed.occupy(1, 0x1);
  const auto placement = test::make_placement("first_fit");
  FreeCapacity free(bed.index(), *placement);
  // Preemption planning: release a victim's GPU, try a 5-GPU gang (no site has 5), give the
  // GPU back. Capacity is smaller than when the gang failed, so the memo answers next time.
  std::size_t mark = free.mark();
  free.release(NodeId{0}, 0x1);
  EXPECT_FALSE(free.take(test::gang(5)));
  free.rollback(mark);
  EXPECT_FALSE(free.take(test::gang(5)));
  EXPECT_EQ(free.memo_hits(), 1u);
  // Undoing a take leaves more room: the 2-GPU gang that failed after it is placed again.
  mark = free.mark();
  ASSERT_TRUE(free.take(test::gang(2)));  // site0: 1 left
  ASSERT_TRUE(free.take(test::gang(2)));  // site1: 1 left
  EXPECT_FALSE(free.take(test::gang(2)));  // 2 free, but 1 per site: a placement failure
  free.rollback(mark);
  EXPECT_TRUE(free.take(test::gang(2)));
  EXPECT_EQ(free.memo_hits(), 1u);
}

TEST(FreeCapacity, TheFailureMemoNeverChangesAnAnswer) {
  // The memo assumes a shape that failed keeps failing while capacity only shrinks. Check it
  // against a scratch whose memo is cleared before every take: the same random takes and
  // releases must get the same allocations, on every placement, on a fleet of three sites of
  // mixed shapes. The memo side also plans now and then (may release a held gang, tries two
  // gangs, rolls it all back), which leaves its memo as the rollback decides.
  const std::vector<test::ClusterShape> shape = {{0, 2, 2, 8}, {1, 1, 4, 4}, {2, 3, 1, 8}};
  for (const char* name : {"first_fit", "best_fit", "topology"}) {
    test::PlacementBed memo_bed(test::fleet_of(shape));
    test::PlacementBed plain_bed(test::fleet_of(shape));
    const auto placement = test::make_placement(name);
    FreeCapacity memo(memo_bed.index(), *placement);
    FreeCapacity plain(plain_bed.index(), *placement);
    std::mt19937_64 rng(7);
    std::vector<Allocation> held;
    std::uint64_t failures = 0;
    for (int step = 0; step < 20000; ++step) {
      // Gangs no larger than the free total, so that failures are placement failures.
      const std::uint64_t free_now = memo.total_free();
      if (!held.empty() &&
          (free_now == 0 || boost::random::uniform_int_distribution<int>(0, 9)(rng) == 0)) {
        const std::size_t i = boost::random::uniform_int_distribution<std::size_t>(
            0, held.size() - 1)(rng);
        memo.release(held[i]);
        plain.release(held[i]);
        held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      if (boost::random::uniform_int_distribution<int>(0, 4)(rng) == 0) {
        const std::size_t mark = memo.mark();
        if (!held.empty() && boost::random::uniform_int_distribution<int>(0, 1)(rng) == 0) {
          memo.release(
              held[boost::random::uniform_int_distribution<std::size_t>(0, held.size() - 1)(rng)]);
        }
        for (int tries = 0; tries < 2; ++tries) {
          (void)memo.take(
              test::gang(boost::random::uniform_int_distribution<std::uint32_t>(1, 24)(rng)));
        }
        memo.rollback(mark);
      }
      const auto gpus = boost::random::uniform_int_distribution<std::uint32_t>(
          1, static_cast<std::uint32_t>(std::min<std::uint64_t>(24, free_now)))(rng);
      plain.forget_failures();
      const std::optional<Allocation> a = memo.take(test::gang(gpus));
      const std::optional<Allocation> b = plain.take(test::gang(gpus));
      ASSERT_EQ(a.has_value(), b.has_value()) << name << " step " << step << " gpus " << gpus;
      if (!a) {
        ++failures;
        continue;
      }
      ASSERT_EQ(a->slices.size(), b->slices.size()) << name << " step " << step;
      for (std::size_t k = 0; k < a->slices.size(); ++k) {
        ASSERT_EQ(a->slices[k].node, b->slices[k].node) << name << " step " << step;
        ASSERT_EQ(a->slices[k].gpus, b->slices[k].gpus) << name << " step " << step;
      }
      held.push_back(*a);
    }
    EXPECT_GT(failures, 100u) << name << ": too few failures to exercise the memo";
    EXPECT_GT(memo.memo_hits(), 50u) << name << ": failures " << failures;
    EXPECT_EQ(plain.memo_hits(), 0u) << name;
  }
}

// The scratch a policy gets on `fleet`: the placement, the `pack` site selection (or none) and
// the fleet's power caps.
struct PolicyScratch {
  explicit PolicyScratch(Fleet fleet, const std::string& placement_name = "first_fit",
                         bool with_selection = true)
      : bed(std::move(fleet)),
        power(bed.fleet()),
        placement(test::make_placement(placement_name)),
        pack(find_site_selection("pack")->make()),
        free(bed.index(), *placement, SiteContext{&bed.fleet(), &bed.index(), &power, 0},
             with_selection ? pack.get() : nullptr) {}

  test::PlacementBed bed;
  const PowerLedger power;
  const std::unique_ptr<Placement> placement;
  const std::unique_ptr<SiteSelection> pack;
  FreeCapacity free;
};

// Two sites of one 8-GPU H100 node (test catalog: 72 W idle, 700 W TDP, no overhead). site0 is
// capped at 2 kW IT: idle it draws 8 x 72 = 576 W, leaving 1,424 W; a GPU at utilisation 1
// adds 628 W, so its headroom runs floor(1424 / 628) = 2 GPUs, and at 0.5 (314 W) 4 GPUs.
// site1 is uncapped.
Fleet capped_and_uncapped_site() {
  Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
  constexpr double kUncapped = std::numeric_limits<double>::infinity();
  fleet.site_energy = {SiteEnergy{StepProfile::constant(0.002), 1.0, {}, {}},
                       SiteEnergy{StepProfile::constant(kUncapped), 1.0, {}, {}}};
  return fleet;
}

TEST(FreeCapacity, UsableFreeCountsOnlyTheGpusASitesPowerHeadroomCanRun) {
  // capped_and_uncapped_site(): site0 runs 2 GPUs at utilisation 1 and 4 at 0.5; site1's 8
  // free GPUs count in full.
  PolicyScratch scratch(capped_and_uncapped_site());
  FreeCapacity& free = scratch.free;
  EXPECT_EQ(free.total_free(), 16u);
  EXPECT_EQ(free.usable_free(1.0F), 2u + 8u);
  EXPECT_EQ(free.usable_free(0.5F), 4u + 8u);
  // A 2-GPU gang at utilisation 1 takes site0's power (1,256 W of 1,424): 168 W are left, not
  // enough for one more GPU, while 6 of its GPUs stay free. The cached bound follows.
  JobSpec pair = gang(2);
  pair.allowed_sites = 0b01;
  ASSERT_TRUE(free.take(pair));
  EXPECT_EQ(free.total_free(), 14u);
  EXPECT_EQ(free.usable_free(0.5F), 0u + 8u);  // 168 / 314 = 0 (asked last before the take)
  EXPECT_EQ(free.usable_free(1.0F), 0u + 8u);
  // The bound holds: a third site0-only GPU does not fit, however many GPUs are free there.
  JobSpec one = gang(1);
  one.allowed_sites = 0b01;
  EXPECT_FALSE(free.take(one));
}

// A running job holding `gpus` (its spec `spec`), as preemption planning releases it.
Job running_on(const JobSpec& spec, const Allocation& gpus) {
  Job job;
  job.spec = spec;
  job.allocation = gpus;
  job.state = JobState::Running;
  return job;
}

// A gang of `gpus` kept to site0, taken from `free`, as a running job: a victim to plan with.
Job running_at_site0(FreeCapacity& free, std::uint32_t gpus) {
  JobSpec spec = gang(gpus);
  spec.allowed_sites = 0b01;
  const std::optional<Allocation> taken = free.take(spec);
  EXPECT_TRUE(taken) << gpus << " GPUs at site0";
  return running_on(spec, taken.value_or(Allocation{}));
}

TEST(FreeCapacity, MayFitWithCountsTheVictimsGpusAndPowerOnlyWhereTheJobMayRun) {
  // capped_and_uncapped_site(): site0 has 1,424 W of headroom at idle and a GPU at
  // utilisation 1 adds 628 W. A 2-GPU victim at site0 takes 1,256 W: 168 W are left there,
  // with 6 GPUs free.
  PolicyScratch scratch(capped_and_uncapped_site());
  FreeCapacity& free = scratch.free;
  const Job victim = running_at_site0(free, 2);
  const std::vector<const Job*> none;
  const std::vector<const Job*> victims = {&victim};

  // Kept to site0: 6 GPUs are free, but 168 W run none of them. With the victim's 1,256 W
  // back, 1,424 / 628 = 2 GPUs run: a 2-GPU job may fit, a 3-GPU one not.
  JobSpec two = gang(2);
  two.allowed_sites = 0b01;
  JobSpec three = gang(3);
  three.allowed_sites = 0b01;
  EXPECT_FALSE(free.may_fit_with(two, none));
  EXPECT_TRUE(free.may_fit_with(two, victims));
  EXPECT_FALSE(free.may_fit_with(three, victims));
  // At half utilisation (314 W per GPU) 1,424 W run 4 GPUs.
  three.gpu_utilisation = 0.5F;
  EXPECT_TRUE(free.may_fit_with(three, victims));
  // Kept to site1: its 8 free GPUs, the victim's at site0 do not count.
  JobSpec nine = gang(9);
  nine.allowed_sites = 0b10;
  EXPECT_FALSE(free.may_fit_with(nine, victims));
  JobSpec eight = gang(8);
  eight.allowed_sites = 0b10;
  EXPECT_TRUE(free.may_fit_with(eight, none));

  // The bound against what releasing the victim gives: the 2-GPU job fits, the 3-GPU one
  // (utilisation 1) does not.
  free.release(victim);
  three.gpu_utilisation = 1.0F;
  EXPECT_FALSE(free.take(three));
  EXPECT_TRUE(free.take(two));
}

TEST(ReleasableGpus, CountsEachJobsGpusAndBusyPowerPerSiteAndTypeUntilItIsRemoved) {
  // capped_and_uncapped_site(): a GPU at utilisation 1 adds 628 W above idle, at 0.5 314 W.
  PolicyScratch scratch(capped_and_uncapped_site());
  FreeCapacity& free = scratch.free;
  const Job a = running_at_site0(free, 2);  // utilisation 1: 2 x 628 W = 1,256 W
  JobSpec half = gang(4);
  half.allowed_sites = 0b10;
  half.gpu_utilisation = 0.5F;
  const std::optional<Allocation> at_site1 = free.take(half);
  ASSERT_TRUE(at_site1);
  const Job b = running_on(half, *at_site1);  // 4 x 314 W = 1,256 W
  const SiteId site0{0};
  const SiteId site1{1};

  ReleasableGpus released(scratch.bed.fleet());
  released.add(JobId{0}, a);
  released.add(JobId{1}, b);
  EXPECT_EQ(released.size(), 2u);
  EXPECT_EQ(released.gpus(site0, kH100), 2u);
  EXPECT_EQ(released.power(site0, kH100), 1'256'000);  // milliwatts
  EXPECT_EQ(released.gpus(site1, kH100), 4u);
  EXPECT_EQ(released.power(site1, kH100), 1'256'000);
  EXPECT_EQ(released.gpus(site0, kA100), 0u);
  // Adding a job again replaces it; removing takes out what it held when added.
  released.add(JobId{0}, a);
  EXPECT_EQ(released.gpus(site0, kH100), 2u);
  released.remove(JobId{0});
  released.remove(JobId{7});  // not in the set: nothing happens
  EXPECT_EQ(released.size(), 1u);
  EXPECT_EQ(released.gpus(site0, kH100), 0u);
  EXPECT_EQ(released.power(site0, kH100), 0);
  EXPECT_EQ(released.gpus(site1, kH100), 4u);

  // The bound from the counts, as from the jobs: a 2-GPU site0 job fits only with a's 1,256 W
  // back (1,424 / 628 = 2 GPUs), not with b's at site1.
  JobSpec two = gang(2);
  two.allowed_sites = 0b01;
  EXPECT_FALSE(free.may_fit_with(two, released));
  released.add(JobId{0}, a);
  EXPECT_TRUE(free.may_fit_with(two, released));
}

TEST(FreeCapacity, MayFitWithSumsATypesGpusOverSitesOnlyForCrossSiteGangs) {
  // Two uncapped sites of one 8-GPU H100 node; a 4-GPU victim at site0 leaves 4 + 8 free. A
  // 16-GPU gang could have 8 + 8 with the victim's GPUs only if it may span both sites.
  // An A100-only gang counts no H100.
  for (const bool cross_site : {false, true}) {
    Fleet fleet = test::fleet_of({{0, 1, 1, 8, "H100"}, {1, 1, 1, 8, "H100"}});
    fleet.cross_site.allowed = cross_site;
    PolicyScratch scratch(std::move(fleet));
    FreeCapacity& free = scratch.free;
    const Job victim = running_at_site0(free, 4);
    const std::vector<const Job*> victims = {&victim};
    EXPECT_EQ(free.may_fit_with(gang(16), victims), cross_site) << cross_site;
    EXPECT_FALSE(free.may_fit_with(gang(16), {})) << cross_site;  // 12 free
    EXPECT_TRUE(free.may_fit_with(gang(8), {})) << cross_site;    // site1's 8
    EXPECT_FALSE(free.may_fit_with(gang(1, {kA100}), victims)) << cross_site;
  }
}

TEST(FreeCapacity, MayFitWithNeverSaysNoToAJobThatReleasingTheVictimsWouldFit) {
  // The bound is only a shortcut for preemption planning: wherever it says no, releasing every
  // victim and taking must fail too. Random held gangs, victims and jobs (site and type
  // restrictions, two utilisations) on three sites of mixed shapes and types, two of them
  // power-capped, with and without cross-site gangs and a site selection, on two placements.
  // Counts show both answers were exercised.
  constexpr double kUncapped = std::numeric_limits<double>::infinity();
  const std::vector<test::ClusterShape> shape = {
      {0, 2, 2, 8, "H100"}, {1, 1, 4, 4, "A100"}, {1, 1, 2, 8, "H100"}, {2, 3, 1, 8, "H100"}};
  for (const char* name : {"first_fit", "topology"}) {
    for (const bool cross_site : {false, true}) {
      for (const bool with_selection : {true, false}) {
        Fleet fleet = test::fleet_of(shape);
        // Sites in a line, 10 ms apart; a gang may span 15 ms (two neighbours), and is split
        // whenever no one site takes it.
        fleet.wan = WanGraph(3, {{SiteId{0}, SiteId{1}, 10, 100}, {SiteId{1}, SiteId{2}, 10, 100}});
        fleet.cross_site = {cross_site, 15, 20, CrossSiteGangs::Split::WhenBlocked};
        fleet.site_energy = {SiteEnergy{StepProfile::constant(0.012), 1.0, {}, {}},
                             SiteEnergy{StepProfile::constant(0.009), 1.0, {}, {}},
                             SiteEnergy{StepProfile::constant(kUncapped), 1.0, {}, {}}};
        PolicyScratch scratch(std::move(fleet), name, with_selection);
        FreeCapacity& free = scratch.free;
        std::mt19937_64 rng(11);
        const auto draw = [&](int lo, int hi) {
          return boost::random::uniform_int_distribution<int>(lo, hi)(rng);
        };
        const auto random_job = [&] {
          JobSpec spec = gang(static_cast<std::uint32_t>(draw(1, 24)));
          if (draw(0, 2) == 0) spec.allowed_sites = static_cast<std::uint64_t>(draw(1, 7));
          if (draw(0, 3) == 0) spec.allowed_types = {draw(0, 1) == 0 ? kH100 : kA100};
          spec.gpu_utilisation = draw(0, 1) == 0 ? 0.5F : 1.0F;
          return spec;
        };
        std::vector<Job> held;
        std::uint64_t said_no = 0;
        std::uint64_t fitted = 0;
        for (int step = 0; step < 3000; ++step) {
          if (held.empty() || draw(0, 2) == 0) {  // more running jobs
            const JobSpec spec = random_job();
            if (std::optional<Allocation> a = free.take(spec)) held.push_back(running_on(spec, *a));
            continue;
          }
          if (draw(0, 5) == 0) {  // one ends
            const auto i = static_cast<std::size_t>(draw(0, static_cast<int>(held.size()) - 1));
            free.release(held[i]);
            held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
          }
          const JobSpec spec = random_job();
          const std::size_t mark = free.mark();
          if (free.take(spec)) {  // fits as it is: not a preemption case
            free.rollback(mark);
            continue;
          }
          std::vector<const Job*> victims;
          for (const Job& job : held) {
            if (draw(0, 1) == 0) victims.push_back(&job);
          }
          const bool may_fit = free.may_fit_with(spec, victims);
          // Counted ahead by (site, type), the victims of the job's GPU types give the same
          // answer as those jobs (a policy only releases those: the others' GPUs are no use).
          const Topology& topology = scratch.bed.topology();
          std::vector<const Job*> usable;
          ReleasableGpus counted(scratch.bed.fleet());
          for (const Job* victim : victims) {
            if (!spec.allows_type(topology.node(victim->allocation.slices[0].node).type)) {
              continue;
            }
            usable.push_back(victim);
            counted.add(JobId{static_cast<std::size_t>(victim - held.data())}, *victim);
          }
          ASSERT_EQ(free.may_fit_with(spec, counted), free.may_fit_with(spec, usable))
              << name << " step " << step;
          for (const Job* victim : victims) free.release(*victim);
          const bool fits = free.take(spec).has_value();
          free.rollback(mark);
          ASSERT_TRUE(may_fit || !fits) << name << " cross_site " << cross_site << " selection "
                                        << with_selection << " step " << step;
          said_no += may_fit ? 0 : 1;
          fitted += fits ? 1 : 0;
        }
        EXPECT_GT(said_no, 100u) << name << " " << cross_site << " " << with_selection;
        EXPECT_GT(fitted, 100u) << name << " " << cross_site << " " << with_selection;
      }
    }
  }
}

// A 1-GPU job asking for `milli` milli-GPUs of its GPU.
JobSpec share(std::uint16_t milli) {
  JobSpec spec = gang(1);
  spec.gpu_milli = milli;
  return spec;
}

// A running fractional job holding a share of the node's GPU `bit`.
Job holding(std::uint16_t milli, std::uint32_t node, std::uint32_t bit) {
  Job job;
  job.spec = share(milli);
  job.allocation = slices({{node, std::uint64_t{1} << bit}});
  return job;
}

// Milli-GPUs used by shares on every GPU of the fleet, node by node.
std::vector<std::uint32_t> shares_of(const CapacityIndex& index) {
  std::vector<std::uint32_t> used;
  for (std::size_t n = 0; n < index.topology().nodes().size(); ++n) {
    for (std::uint32_t g = 0; g < index.topology().nodes()[n].gpu_count; ++g) {
      used.push_back(index.share_used(NodeId{n}, g));
    }
  }
  return used;
}

TEST(FreeCapacity, AShareGoesToTheSharedGpuWithTheLeastRoomThatHoldsItElseOpensAFreeOne) {
  // 2 nodes x 4 H100. Shared: n0 GPU 1 (500 used: room 500), n0 GPU 3 (800: room 200),
  // n1 GPU 0 and GPU 2 (700 each: room 300). Free: n0 GPUs 0 and 2, n1 GPUs 1 and 3.
  test::PlacementBed bed(test::single_cluster_fleet(1, 2, 4));
  CapacityIndex& index = bed.index();
  bed.occupy(0, 0b1010);
  bed.occupy(1, 0b0101);
  index.add_share(NodeId{0}, 1, 500);
  index.add_share(NodeId{0}, 3, 800);
  index.add_share(NodeId{1}, 0, 700);
  index.add_share(NodeId{1}, 2, 700);
  const std::vector<std::uint32_t> shares = shares_of(index);
  const std::vector<std::uint64_t> masks = test::free_masks(index);
  const auto placement = test::make_placement("first_fit");
  FreeCapacity free(index, *placement);
  EXPECT_EQ(free.total_free(), 4u + 4u);  // 4 free + 4 shared, an upper bound
  EXPECT_EQ(free.free_for(share(300)), 8u);
  // 300: rooms 500, 300, 300 hold it (200 does not); the least is 300, first of the tie n1 GPU 0.
  EXPECT_EQ(free.take(share(300)), slices({{1, 0b0001}}));
  EXPECT_EQ(free.take(share(300)), slices({{1, 0b0100}}));  // then n1 GPU 2
  EXPECT_EQ(free.take(share(200)), slices({{0, 0b1000}}));  // exactly n0 GPU 3's room
  const std::size_t full = free.mark();
  // 600: no shared GPU has room (500 at most): a free GPU opens where first_fit puts one GPU.
  EXPECT_EQ(free.take(share(600)), slices({{0, 0b0001}}));
  EXPECT_EQ(index.free_mask(NodeId{0}), 0b0100u);
  // 450: n0 GPU 0 (room 400) is too small, n0 GPU 1 (room 500) holds it.
  EXPECT_EQ(free.take(share(450)), slices({{0, 0b0010}}));
  EXPECT_EQ(shares_of(index), (std::vector<std::uint32_t>{600, 950, 0, 1000, 1000, 0, 1000, 0}));
  EXPECT_EQ(index.total_shared(), 5u);
  // A whole GPU never lands on a shared one.
  EXPECT_EQ(free.take(gang(1)), slices({{0, 0b0100}}));
  EXPECT_EQ(free.take(gang(2)), slices({{1, 0b1010}}));
  EXPECT_EQ(free.take(gang(1)), std::nullopt);
  // Rolling back restores every share and mask exactly, in two steps.
  free.rollback(full);
  EXPECT_EQ(shares_of(index), (std::vector<std::uint32_t>{0, 500, 0, 1000, 1000, 0, 1000, 0}));
  EXPECT_EQ(index.total_shared(), 4u);
  free.rollback(0);
  EXPECT_EQ(shares_of(index), shares);
  EXPECT_EQ(test::recount_mismatch(index, masks), "");
  EXPECT_EQ(index.total_shared(), 4u);
  EXPECT_EQ(index.find_node_with_shared(test::kH100, NodeId{0}, NodeId{2}), NodeId{0});
}

TEST(FreeCapacity, AShareSkipsUnshareableGpusAndRespectsAllowedTypes) {
  // n0: 4 H100, n1: 4 A100. n0 GPU 0 shared (700) but failed; n1 GPU 1 shared (900).
  test::PlacementBed bed(test::fleet_of({{0, 1, 1, 4, "H100"}, {0, 1, 1, 4, "A100"}}));
  CapacityIndex& index = bed.index();
  bed.occupy(0, 0b0001);
  bed.occupy(1, 0b0010);
  index.add_share(NodeId{0}, 0, 700);
  index.add_share(NodeId{1}, 1, 900);
  index.set_unshareable(NodeId{0}, 0b0001);
  const auto placement = test::make_placement("first_fit");
  FreeCapacity free(index, *placement);
  // 100: n0 GPU 0 has room 300 but no new share may go there; n1 GPU 1 (room 100) takes it.
  JobSpec any = share(100);
  EXPECT_EQ(free.take(any), slices({{1, 0b0010}}));
  // 300 on H100 only: n0 GPU 0 is unshareable, so a free H100 opens.
  JobSpec h100 = share(300);
  h100.allowed_types = {test::kH100};
  EXPECT_EQ(free.take(h100), slices({{0, 0b0010}}));
  // 200 on A100 only: the new H100 share (room 700) is of the wrong type; a free A100 opens.
  JobSpec a100 = share(200);
  a100.allowed_types = {test::kA100};
  EXPECT_EQ(free.take(a100), slices({{1, 0b0001}}));
  EXPECT_EQ(index.share_used(NodeId{0}, 0), 700u);
}

TEST(FreeCapacity, ReleaseTakeBackAndTakeDecidedOfAShareKeepTheGpusMilliExact) {
  // 1 node x 4. A (500) and B (300) share GPU 1.
  test::PlacementBed bed(test::single_cluster_fleet(1, 1, 4));
  CapacityIndex& index = bed.index();
  bed.occupy(0, 0b0010);
  index.add_share(NodeId{0}, 1, 500);
  index.add_share(NodeId{0}, 1, 300);
  const Job a = holding(500, 0, 1);
  const Job b = holding(300, 0, 1);
  const auto placement = test::make_placement("first_fit");
  {
    FreeCapacity free(index, *placement);
    free.release(a);  // planning A's preemption: B's share is left, the GPU stays shared
    EXPECT_EQ(index.share_used(NodeId{0}, 1), 300u);
    EXPECT_EQ(index.free_mask(NodeId{0}), 0b1101u);
    EXPECT_TRUE(free.try_take_back(a));
    EXPECT_EQ(index.share_used(NodeId{0}, 1), 800u);
    // Both released: the last share frees the GPU whole.
    free.release_decided(a.spec, a.allocation);
    free.release_decided(b.spec, b.allocation);
    EXPECT_EQ(index.share_used(NodeId{0}, 1), 0u);
    EXPECT_EQ(index.free_mask(NodeId{0}), 0b1111u);
    EXPECT_EQ(index.total_shared(), 0u);
    // B back alone reopens it; a decided 700 fills it up.
    EXPECT_TRUE(free.try_take_back(b));
    EXPECT_EQ(index.free_mask(NodeId{0}), 0b1101u);
    free.take_decided(share(700), slices({{0, 0b0010}}));
    EXPECT_EQ(index.share_used(NodeId{0}, 1), 1000u);
    // A no longer fits: no change journaled.
    const std::size_t mark = free.mark();
    EXPECT_FALSE(free.try_take_back(a));
    EXPECT_EQ(free.mark(), mark);
    EXPECT_THROW(free.take_decided(share(1), slices({{0, 0b0010}})), InternalError);
    EXPECT_EQ(free.mark(), mark);
    // A whole job cannot take back a GPU that holds shares.
    Job whole;
    whole.spec = gang(1);
    whole.allocation = slices({{0, 0b0010}});
    EXPECT_FALSE(free.try_take_back(whole));
  }
  // Out of scope: exactly as before.
  EXPECT_EQ(index.share_used(NodeId{0}, 1), 800u);
  EXPECT_EQ(index.total_shared(), 1u);
  EXPECT_EQ(test::recount_mismatch(index, {0b1101}), "");
}

TEST(FreeCapacity, TheLastShareOfAnUnshareableGpuLeavesItOutOfTheFreeGpus) {
  // GPU 2 holds A's share (400) and fails: releasing A must not make it free, nor may A (or
  // anyone) share it again.
  test::PlacementBed bed(test::single_cluster_fleet(1, 1, 4));
  CapacityIndex& index = bed.index();
  bed.occupy(0, 0b0100);
  index.add_share(NodeId{0}, 2, 400);
  index.set_unshareable(NodeId{0}, 0b0100);
  const Job a = holding(400, 0, 2);
  const auto placement = test::make_placement("first_fit");
  {
    FreeCapacity free(index, *placement);
    free.release(a);
    EXPECT_EQ(index.share_used(NodeId{0}, 2), 0u);
    EXPECT_EQ(index.free_mask(NodeId{0}), 0b1011u);
    EXPECT_EQ(index.total_shared(), 0u);
    EXPECT_FALSE(free.try_take_back(a));
    EXPECT_EQ(free.take(share(400)), slices({{0, 0b0001}}));  // a healthy free GPU instead
  }
  EXPECT_EQ(index.share_used(NodeId{0}, 2), 400u);
  EXPECT_EQ(test::recount_mismatch(index, {0b1011}), "");
}

TEST(LowestBits, TakesTheCountLowestSetBits) {
  EXPECT_EQ(lowest_bits(0b1011'0100, 2), 0b0001'0100u);
  EXPECT_EQ(lowest_bits(0b1011'0100, 4), 0b1011'0100u);
  EXPECT_EQ(lowest_bits(0b1011'0100, 0), 0u);
  EXPECT_EQ(lowest_bits(~std::uint64_t{0}, 64), ~std::uint64_t{0});
  EXPECT_EQ(lowest_bits(std::uint64_t{1} << 63 | 1, 2), std::uint64_t{1} << 63 | 1);
}

// 2 nodes x 8 GPUs, first_fit, and the engine's KeptTakes: what every policy scratch gets.
struct KeptTakesBed {
  test::PlacementBed bed{test::single_cluster_fleet(1, 2, 8)};
  PowerLedger power{bed.fleet()};
  std::unique_ptr<Placement> placement = test::make_placement("first_fit");
  KeptTakes kept;
  FreeCapacity scratch() {
    return FreeCapacity(bed.index(), *placement, {&bed.fleet(), &bed.index(), &power, 0}, nullptr,
                        &kept);
  }
};

TEST(FreeCapacity, WithKeptTakesTheLastScratchLeavesPlainTakesAppliedAndListed) {
  // 2 nodes x 8 GPUs. The engine's scratches get a KeptTakes: one that only took keeps its
  // takes on the index (listed in take order); one that also released undoes everything; of
  // nested scratches only the last to end may keep; a new scratch first undoes what was kept.
  KeptTakesBed t;
  test::PlacementBed& bed = t.bed;
  KeptTakes& kept = t.kept;
  {
    FreeCapacity free = t.scratch();
    EXPECT_EQ(free.take(gang(3)), slices({{0, 0x07}}));
    EXPECT_EQ(free.take(gang(6)), slices({{0, 0xF8}, {1, 0x01}}));
  }
  EXPECT_EQ(kept.slices,
            (std::vector<NodeSlice>{{NodeId{0u}, 0x07}, {NodeId{0u}, 0xF8}, {NodeId{1u}, 0x01}}));
  EXPECT_EQ(test::recount_mismatch(bed.index(), {0x00, 0xFE}), "");
  {
    FreeCapacity free = t.scratch();  // undoes them first
    EXPECT_TRUE(kept.slices.empty());
    EXPECT_EQ(test::recount_mismatch(bed.index(), {0xFF, 0xFF}), "");
    ASSERT_TRUE(free.take(gang(2)).has_value());
    free.release(slices({{0, 0x03}}));
  }
  EXPECT_TRUE(kept.slices.empty());  // a release: not a plain list of starts, all undone
  EXPECT_EQ(test::recount_mismatch(bed.index(), {0xFF, 0xFF}), "");
  {
    FreeCapacity outer = t.scratch();
    ASSERT_TRUE(outer.take(gang(8)).has_value());  // node 0
    {
      FreeCapacity inner = t.scratch();
      ASSERT_TRUE(inner.take(gang(1)).has_value());  // node 1, GPU 0
    }
    EXPECT_TRUE(kept.slices.empty());  // the outer scratch is still alive: inner undid its take
    EXPECT_EQ(test::recount_mismatch(bed.index(), {0x00, 0xFF}), "");
  }
  EXPECT_EQ(kept.slices, (std::vector<NodeSlice>{{NodeId{0u}, 0xFF}}));
  kept.undo(bed.index());
  EXPECT_EQ(test::recount_mismatch(bed.index(), {0xFF, 0xFF}), "");
}

TEST(FreeCapacity, WithKeptTakesEachScratchBorrowsTheLargestJournalBufferSoFar) {
  // 2 nodes x 8 GPUs. A scratch gives its journal's buffer (emptied) to `kept` when it ends,
  // unless `kept` holds a larger one already; the next scratch borrows it, so `kept` has none
  // while that one is alive. The state is undone as before.
  KeptTakesBed t;
  test::PlacementBed& bed = t.bed;
  KeptTakes& kept = t.kept;
  std::size_t inner_capacity = 0;
  {
    FreeCapacity outer = t.scratch();
    {
      FreeCapacity inner = t.scratch();
      for (int i = 0; i < 4; ++i) ASSERT_TRUE(inner.take(gang(1)).has_value());
      inner.release(slices({{0, 0x01}}));  // 5 changes, rolled back
    }
    inner_capacity = kept.spare_journal.capacity();
    EXPECT_GE(inner_capacity, 5u);
    ASSERT_TRUE(outer.take(gang(2)).has_value());  // 1 change: a smaller buffer
  }
  EXPECT_EQ(kept.spare_journal.capacity(), inner_capacity);  // the larger one stays
  EXPECT_TRUE(kept.spare_journal.empty());
  kept.undo(bed.index());
  EXPECT_EQ(test::recount_mismatch(bed.index(), {0xFF, 0xFF}), "");
  {
    FreeCapacity free = t.scratch();
    EXPECT_EQ(kept.spare_journal.capacity(), 0u);  // borrowed
    ASSERT_TRUE(free.take(gang(3)).has_value());
  }
  EXPECT_EQ(kept.spare_journal.capacity(), inner_capacity);  // given back, emptied
  EXPECT_TRUE(kept.spare_journal.empty());
  kept.undo(bed.index());
  EXPECT_EQ(test::recount_mismatch(bed.index(), {0xFF, 0xFF}), "");
}

}  // namespace
}  // namespace fleetsim
