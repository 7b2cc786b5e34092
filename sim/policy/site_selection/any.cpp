// The default: no ranking. The placement strategy chooses among all sites, as it would in a
// single-site fleet; residency and power caps still hold (sites in id order as the fallback).
#include "sim/policy/site_selection.hpp"

namespace fleetsim {
namespace {

const SiteSelectionRegistration kRegistration{{
    .name = "any",
    .summary = "the placement chooses the site; residency and power caps still hold",
    .make = [] { return std::unique_ptr<SiteSelection>(); },
}};

}  // namespace
}  // namespace fleetsim
