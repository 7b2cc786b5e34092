// FreeCapacity::hide_lazily: listed GPUs count as taken, but a site's are taken only when a
// placement first tries that site. It must give exactly the answers of hiding them all at once.
#include <gtest/gtest.h>

#include <boost/random/uniform_int_distribution.hpp>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "sim/core/power_ledger.hpp"
#include "sim/policy/free_capacity.hpp"
#include "sim/policy/site_selection.hpp"
#include "tests/unit/fleet/capacity_recount.hpp"
#include "tests/unit/placement/placement_fixture.hpp"

namespace fleetsim {
namespace {

using test::gang;
using NodesBySite = std::vector<std::vector<NodeId>>;

JobSpec at_sites(std::uint32_t gpus, std::uint64_t sites) {
  JobSpec job = gang(gpus);
  job.allowed_sites = sites;
  return job;
}

// A policy's scratch on `bed` with the named site selection (nullptr: "any").
struct SiteScratch {
  SiteScratch(test::PlacementBed& bed, const char* placement_name, const char* selection_name)
      : power(bed.fleet()), placement(test::make_placement(placement_name)) {
    if (const SiteSelectionInfo* info = find_site_selection(selection_name)) {
      selection = info->make();
    }
    free = std::make_unique<FreeCapacity>(bed.index(), *placement,
                                          SiteContext{&bed.fleet(), &bed.index(), &power, 0},
                                          selection.get());
  }
  PowerLedger power;
  std::unique_ptr<Placement> placement;
  std::unique_ptr<SiteSelection> selection;
  std::unique_ptr<FreeCapacity> free;
};

TEST(LazyHiding, ASitesHiddenGpusAreTakenOnlyWhenAPlacementTriesThatSite) {
  // site0: nodes 0 and 1 (4 GPUs each), node 0 hidden; site1: node 2 (4 GPUs). first_fit, pack.
  test::PlacementBed bed(test::fleet_of({{0, 1, 2, 4}, {1, 1, 1, 4}}));
  SiteScratch s(bed, "first_fit", "pack");
  FreeCapacity& free = *s.free;
  const NodesBySite hidden = {{NodeId{0}}, {}};
  const std::size_t start = free.mark();
  free.hide_lazily(hidden);
  // A site1 job places without touching site0: node 0 is still free in the index.
  EXPECT_EQ(free.take(at_sites(2, 0b10)), test::slices({{2, 0b0011}}));
  EXPECT_EQ(bed.index().free_mask(NodeId{0}), 0xFu);
  // A site0 job: node 0 is hidden first, so first_fit's lowest node is node 1.
  const std::size_t before_site0 = free.mark();
  EXPECT_EQ(free.take(at_sites(4, 0b01)), test::slices({{1, 0xF}}));
  EXPECT_EQ(bed.index().free_mask(NodeId{0}), 0u);
  EXPECT_FALSE(free.take(at_sites(4, 0b01)));  // node 0 stays hidden
  // Rolling back to before site0 was hidden shows node 0 again, and the next site0 placement
  // hides it again (were the site still marked hidden, first_fit would take node 0).
  free.rollback(before_site0);
  EXPECT_EQ(bed.index().free_mask(NodeId{0}), 0xFu);
  EXPECT_EQ(free.take(at_sites(4, 0b01)), test::slices({{1, 0xF}}));
  EXPECT_EQ(bed.index().free_mask(NodeId{0}), 0u);
  free.stop_hiding();
  free.rollback(start);
  EXPECT_EQ(test::recount_mismatch(bed.index(), {0xF, 0xF, 0xF}), "");
}

TEST(LazyHiding, ARankingThatCountsFreeGpusSeesTheJobsSitesHidden) {
  // spread: the site with the most free GPUs first. site0 has 12 free GPUs of which 8 (nodes 0
  // and 1) are hidden, so 4 visible; site1 has 8. A 1-GPU job goes to site1 (8 > 4), as with
  // everything hidden at once; ranked before site0's nodes were hidden it went to site0 (12).
  test::PlacementBed bed(test::fleet_of({{0, 1, 3, 4}, {1, 1, 2, 4}}));
  SiteScratch s(bed, "first_fit", "spread");
  const NodesBySite hidden = {{NodeId{0}, NodeId{1}}, {}};
  s.free->hide_lazily(hidden);
  EXPECT_EQ(s.free->take(gang(1)), test::slices({{3, 0b0001}}));
}

// A cap far above what the test fleets draw: usable_free then counts site by site (its uncapped
// shortcut is total_free), and every free GPU it counts has the power to run.
Fleet with_loose_caps(Fleet fleet) {
  fleet.site_energy.assign(fleet.topology.sites().size(),
                           SiteEnergy{StepProfile::constant(1.0), 1.0, {}, {}});
  return fleet;
}

TEST(LazyHiding, ASiteWhoseEveryNodeIsListedIsPassedOverWithoutHidingIt) {
  // site0: nodes 0 and 1 (4 GPUs each), both listed; site1: node 2 (4 GPUs).
  test::PlacementBed bed(with_loose_caps(test::fleet_of({{0, 1, 2, 4}, {1, 1, 1, 4}})));
  SiteScratch s(bed, "first_fit", "pack");
  FreeCapacity& free = *s.free;
  const NodesBySite hidden = {{NodeId{0}, NodeId{1}}, {}};
  EXPECT_EQ(free.usable_free(1.0F), 12u);
  free.hide_lazily(hidden);
  EXPECT_EQ(free.usable_free(1.0F), 4u);  // site0 is left out at once
  // A site0 job does not fit, and site0's GPUs were not taken to find that out.
  EXPECT_FALSE(free.take(at_sites(4, 0b01)));
  EXPECT_EQ(bed.index().free_mask(NodeId{0}), 0xFu);
  EXPECT_EQ(bed.index().free_mask(NodeId{1}), 0xFu);
  EXPECT_EQ(free.take(at_sites(4, 0b11)), test::slices({{2, 0xF}}));
  // Once hiding stops site0 shows again, and the site0 job that failed while it was closed is
  // placed, not answered from the failure memo.
  free.stop_hiding();
  EXPECT_EQ(free.usable_free(1.0F), 8u);
  EXPECT_EQ(free.take(at_sites(4, 0b01)), test::slices({{0, 0xF}}));
}

TEST(LazyHiding, APartlyListedSiteIsHiddenOnlyWhenItsOtherNodesCouldTakeTheJob) {
  // site0: nodes 0-2 (4 GPUs each), node 0 listed, node 1 busy, node 2 with 2 GPUs free;
  // site1: node 3 (4 GPUs). site0 has 2 + 4 free GPUs, of which the 2 on node 2 are not listed.
  test::PlacementBed bed(with_loose_caps(test::fleet_of({{0, 1, 3, 4}, {1, 1, 1, 4}})));
  bed.occupy(1, 0xF);
  bed.occupy(2, 0b0011);
  SiteScratch s(bed, "first_fit", "carbon_aware");
  FreeCapacity& free = *s.free;
  const NodesBySite hidden = {{NodeId{0}}, {}};
  free.hide_lazily(hidden);
  EXPECT_EQ(free.usable_free(1.0F), 2u + 4u);  // node 0's 4 do not count
  // 4 GPUs at site0 would need node 0: no fit, and node 0 is not taken to find that out.
  EXPECT_FALSE(free.take(at_sites(4, 0b01)));
  EXPECT_EQ(bed.index().free_mask(NodeId{0}), 0xFu);
  // 2 GPUs fit beside it: the site is hidden, then the job placed on node 2.
  EXPECT_EQ(free.take(at_sites(2, 0b01)), test::slices({{2, 0b1100}}));
  EXPECT_EQ(bed.index().free_mask(NodeId{0}), 0u);
  EXPECT_EQ(free.usable_free(1.0F), 4u);
}

// Scheduling passes on two beds, one hiding its listed nodes at once and one lazily: the same
// random takes, planning (release a running job, try a gang, roll back) and job ends get the
// same allocations, for every placement, site selection (including none, where the placement
// picks among all sites) and mix of residencies.
TEST(LazyHiding, GivesTheAnswersOfHidingEverythingAtOnce) {
  // Three sites of mixed shapes. Hidden: the first two nodes of sites 0 and 1 (a partition's
  // boundary can fall inside a site) and all of site 2.
  const std::vector<test::ClusterShape> shape = {{0, 2, 2, 8}, {1, 1, 4, 4}, {2, 3, 1, 8}};
  NodesBySite hidden(3);
  {
    test::PlacementBed probe(test::fleet_of(shape));
    for (std::size_t n = 0; n < probe.topology().nodes().size(); ++n) {
      const SiteId site = probe.fleet().site_of(NodeId{n});
      if (site.index() == 2 || hidden[site.index()].size() < 2) {
        hidden[site.index()].push_back(NodeId{n});
      }
    }
  }
  std::uint64_t lagging = 0;  // takes the lazy bed began with a listed site not hidden yet
  for (const char* placement : {"first_fit", "best_fit", "topology"}) {
    for (const char* selection : {"any", "pack", "spread", "carbon_aware"}) {
      test::PlacementBed eager_bed(test::fleet_of(shape));
      test::PlacementBed lazy_bed(test::fleet_of(shape));
      SiteScratch eager(eager_bed, placement, selection);
      SiteScratch lazy(lazy_bed, placement, selection);
      std::mt19937_64 rng(11);
      const auto pick = [&](std::uint64_t lo, std::uint64_t hi) {
        return boost::random::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
      };
      std::vector<Allocation> running;
      for (int pass = 0; pass < 300; ++pass) {
        // The pass starts from the engine's state; capacity may have grown since the last.
        eager.free->forget_failures();
        lazy.free->forget_failures();
        for (const std::vector<NodeId>& at_site : hidden) {
          for (NodeId node : at_site) {
            if (const std::uint64_t mask = eager_bed.index().free_mask(node)) {
              eager.free->take(node, mask);
            }
          }
        }
        lazy.free->hide_lazily(hidden);
        std::vector<Allocation> started;
        for (int step = 0; step < 8; ++step) {
          const auto gpus = static_cast<std::uint32_t>(pick(1, 20));
          const JobSpec job = at_sites(gpus, pick(1, 7));  // a non-empty set of sites
          const bool plan = pick(0, 3) == 0;
          const std::size_t eager_mark = eager.free->mark();
          const std::size_t lazy_mark = lazy.free->mark();
          if (plan && !running.empty()) {
            const Allocation& victim = running[pick(0, running.size() - 1)];
            eager.free->release(victim);
            lazy.free->release(victim);
          }
          lagging += test::free_masks(lazy_bed.index()) != test::free_masks(eager_bed.index());
          const std::optional<Allocation> a = eager.free->take(job);
          const std::optional<Allocation> b = lazy.free->take(job);
          ASSERT_EQ(a, b) << placement << " " << selection << " pass " << pass << " step " << step;
          if (plan) {
            eager.free->rollback(eager_mark);
            lazy.free->rollback(lazy_mark);
          } else if (a) {
            started.push_back(*a);
          }
        }
        lazy.free->stop_hiding();
        eager.free->rollback(0);
        lazy.free->rollback(0);
        ASSERT_EQ(test::free_masks(lazy_bed.index()), test::free_masks(eager_bed.index()));
        // The engine starts the pass's jobs, and some running jobs end.
        for (const Allocation& gpus : started) {
          for (const NodeSlice& slice : gpus.slices) {
            eager_bed.occupy(slice.node.value, slice.gpus);
            lazy_bed.occupy(slice.node.value, slice.gpus);
          }
          running.push_back(gpus);
        }
        for (std::size_t i = running.size(); i-- > 0;) {
          if (pick(0, 2) != 0) continue;
          for (const NodeSlice& slice : running[i].slices) {
            eager_bed.index().release(slice.node, slice.gpus);
            lazy_bed.index().release(slice.node, slice.gpus);
          }
          running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
        }
      }
    }
  }
  EXPECT_GT(lagging, 1000u) << "too few takes found a listed site not hidden yet";
}

}  // namespace
}  // namespace fleetsim
