// The inference request-trace readers (azure_llm, mooncake, dlrm, genai) on excerpts of the
// shipped files, by hand; and their statistics against the numbers the traces README publishes.
#include <gtest/gtest.h>

#include "sim/workload/traces/trace_stats.hpp"
#include "tests/unit/workload/traces/trace_fixture.hpp"

namespace fleetsim {
namespace {

std::vector<TraceRecord> records(const std::string& format, const std::string& file) {
  std::vector<TraceRecord> out;
  TraceRowCounts counts;
  read_trace_records(
      *find_request_trace_format(format), test::excerpt_options(format, file),
      [&](TraceRecord&& r) { out.push_back(std::move(r)); }, counts);
  return out;
}

TEST(AzureLlmTrace, ArrivalsToTheHundredNanosecondAndTokens) {
  const std::vector<TraceRecord> r = records("azure_llm", "azure_code.csv");
  ASSERT_EQ(r.size(), 3u);
  // 2023-11-16 18:17:03.97996 UTC = 1700158620 + 3.97996 s.
  EXPECT_DOUBLE_EQ(r[0].submit_s, 1700158623.97996);
  EXPECT_EQ(r[0].input_tokens, 4808);
  EXPECT_EQ(r[0].output_tokens, 10);
  EXPECT_NEAR(r[1].submit_s - r[0].submit_s, 0.052, 1e-6);  // 04.03196 - 03.97996
  EXPECT_NEAR(r[2].submit_s - r[0].submit_s, 0.0981890, 1e-6);
  EXPECT_EQ(r[2].input_tokens, 110);
  EXPECT_EQ(r[2].output_tokens, 27);
  EXPECT_EQ(r[0].name, "azure_code-2");
}

TEST(MooncakeTrace, MillisecondsToSecondsAndBlockCountChecked) {
  const std::vector<TraceRecord> r = records("mooncake", "mooncake_conversation.jsonl");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].submit_s, 0);
  EXPECT_EQ(r[0].input_tokens, 6758);  // 14 hash ids = ceil(6758 / 512)
  EXPECT_EQ(r[0].output_tokens, 500);
  EXPECT_EQ(r[1].input_tokens, 7322);  // 15 = ceil(7322 / 512)
  EXPECT_EQ(r[2].submit_s, 3.0);       // 3000 ms
  EXPECT_EQ(r[2].input_tokens, 13544);
  EXPECT_EQ(r[2].output_tokens, 71);
}

TEST(DlrmTrace, EmptyTimesMeanPresentAtStartOrStillAlive) {
  const std::vector<TraceRecord> r = records("dlrm", "dlrm.csv");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].name, "instance_0");  // no times: existed before the trace, alive at its end
  EXPECT_EQ(r[0].submit_s, 0);
  EXPECT_FALSE(r[0].duration_s);
  EXPECT_EQ(r[0].gpus, 1u);
  EXPECT_EQ(r[0].job_class, "HN");
  EXPECT_EQ(r[0].tenant, "app_0");
  EXPECT_DOUBLE_EQ(r[1].submit_s, 3973.0000000000005);  // float noise kept as written
  EXPECT_DOUBLE_EQ(*r[1].duration_s, 5647.0 - 3973.0000000000005);
  EXPECT_EQ(r[2].gpus, 0u);
  EXPECT_EQ(r[2].job_class, "CN");
  EXPECT_DOUBLE_EQ(r[2].submit_s, 475.00000000000006);
  EXPECT_FALSE(r[2].duration_s);  // no deletion_time: right-censored
}

TEST(GenaiTrace, ExecTimeStatusAndGroup) {
  const std::vector<TraceRecord> r = records("genai", "genai.csv");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].submit_s - r[0].submit_s, 4704.0);  // 18:16:14 - 16:57:50 = 1 h 18 min 24 s
  EXPECT_EQ(r[0].duration_s, 32.0);
  EXPECT_EQ(r[0].status, "SUCCEED");
  EXPECT_EQ(r[0].tenant, "G0000");
  EXPECT_EQ(r[0].job_class, "TXT_2_IMG");
  EXPECT_EQ(r[1].duration_s, 43.0);
}

// --- statistics of the whole shipped files, as the traces README prints them ---

TraceStats stats(const std::string& format, const std::string& file) {
  TraceOptions o;
  o.format = format;
  o.path = test::source_path("traces/" + file);
  o.display_path = file;
  return compute_trace_stats(*find_request_trace_format(format), o);
}

void expect_percentiles(const std::vector<double>& v, double p50, double p90, double p99,
                        double max) {
  EXPECT_EQ(nearest_rank(v, 50), p50);
  EXPECT_EQ(nearest_rank(v, 90), p90);
  EXPECT_EQ(nearest_rank(v, 99), p99);
  EXPECT_EQ(v.back(), max);
}

TEST(TraceStatsReadme, AzureLlmCodeAndConversation) {
  const TraceStats code =
      stats("azure_llm", "azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv");
  EXPECT_EQ(code.jobs, 8'819u);
  EXPECT_NEAR(code.last_submit_s - code.first_submit_s, 3'436, 1);  // 18:17:03.98 -> 19:14:19.93
  EXPECT_NEAR(code.jobs / (code.last_submit_s - code.first_submit_s), 2.57, 0.005);
  expect_percentiles(code.input_tokens, 1'469, 5'186, 7'436, 7'437);
  expect_percentiles(code.output_tokens, 13, 55, 252, 1'899);
  const TraceStats conv =
      stats("azure_llm", "azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv");
  EXPECT_EQ(conv.jobs, 19'366u);
  EXPECT_NEAR(conv.last_submit_s - conv.first_submit_s, 3'502, 1);
  EXPECT_NEAR(conv.jobs / (conv.last_submit_s - conv.first_submit_s), 5.53, 0.005);
  expect_percentiles(conv.input_tokens, 1'020, 2'734, 4'142, 14'050);
  expect_percentiles(conv.output_tokens, 129, 424, 601, 1'000);
}

TEST(TraceStatsReadme, MooncakeConversationAndSynthetic) {
  const TraceStats conv = stats("mooncake", "mooncake-fast25/conversation_trace.jsonl");
  EXPECT_EQ(conv.jobs, 12'031u);
  EXPECT_EQ(conv.first_submit_s, 0);
  EXPECT_EQ(conv.last_submit_s, 3'536.999);
  expect_percentiles(conv.input_tokens, 6'909, 27'367, 85'401, 126'195);
  expect_percentiles(conv.output_tokens, 350, 597, 1'120, 2'000);
  const TraceStats syn = stats("mooncake", "mooncake-fast25/synthetic_trace.jsonl");
  EXPECT_EQ(syn.jobs, 3'993u);
  EXPECT_EQ(syn.last_submit_s, 1'022.025);
  expect_percentiles(syn.input_tokens, 11'587, 38'615, 66'456, 191'378);
  expect_percentiles(syn.output_tokens, 69, 389, 768, 893);
}

TEST(TraceStatsReadme, DlrmInstances) {
  const TraceStats s = stats("dlrm", "alibaba-gpu-v2025-dlrm/disaggregated_DLRM_trace.csv");
  EXPECT_EQ(s.jobs, 23'871u);
  // HN instances always ask for one GPU, CN instances for none.
  EXPECT_EQ(s.gpus, (std::map<std::uint32_t, std::uint64_t>{{0, 16'485}, {1, 7'386}}));
  EXPECT_EQ(s.tenants.size(), 156u);
  EXPECT_NEAR(s.last_submit_s, 2'677'541, 86'400);  // "horizon ≈ 0 -> 2,677,541 s (31 d)"
}

TEST(TraceStatsReadme, GenaiRequests) {
  const TraceStats s = stats("genai", "alibaba-genai-v2026/lora_request_trace.csv");
  EXPECT_EQ(s.jobs, 26'823u);
  EXPECT_EQ(s.statuses,
            (std::map<std::string, std::uint64_t>{
                {"SUCCEED", 26'392}, {"FAILED", 398}, {"PENDING", 30}, {"PROCESSING", 3}}));
  expect_percentiles(s.durations_s, 23, 53, 106, 567);
  EXPECT_EQ(s.first_submit_s, *detail::parse_date_time("2024-11-15 16:57:50"));
  EXPECT_EQ(s.last_submit_s, *detail::parse_date_time("2024-12-08 17:33:57"));
  EXPECT_EQ(s.tenants.size(), 4'247u);
}

}  // namespace
}  // namespace fleetsim
