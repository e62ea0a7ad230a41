// The OpenAI-compatible clients against a stub server on 127.0.0.1: batching, bounded concurrency, the
// API key, retries on 429/500, timeouts, malformed replies, wrong dimensions; the LLM tagger's parsing,
// normalisation and cache.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "stars/core/error.h"
#include "stars/semantics/http_embedder.h"
#include "stars/semantics/item_tagger.h"
#include "stars/semantics/llm_tagger.h"
#include "test_support.h"

namespace stars::semantics {
namespace {

using testing::StubServer;
using testing::temp_dir;

HttpEmbedConfig fast_config(const StubServer& s) {
  HttpEmbedConfig c;
  c.base_url = s.base_url();
  c.model = "stub-embed";
  c.dim = 8;
  c.batch_size = 4;
  c.max_concurrency = 3;
  c.max_retries = 3;
  c.backoff_initial_s = 0.01;
  c.backoff_max_s = 0.05;
  c.read_timeout_s = 5;
  c.api_key_env = "STARS_TEST_EMBED_KEY";
  return c;
}

std::vector<ItemText> items(int n) {
  std::vector<ItemText> out(n);
  for (int i = 0; i < n; ++i) {
    out[i].raw_id = std::to_string(i);
    out[i].title = "item number " + std::to_string(i);
  }
  return out;
}

std::vector<const ItemText*> ptrs(const std::vector<ItemText>& v) {
  std::vector<const ItemText*> p;
  for (const auto& x : v) p.push_back(&x);
  return p;
}

std::string error_of(const std::function<void()>& f, ErrorCode* code = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "";
}

TEST(HttpEmbedder, BatchesPlacesAndNormalisesVectors) {
  StubServer s;
  s.behavior.reverse_order = true;  // entries are placed by "index", not by position
  HttpEmbedder e(fast_config(s));
  auto its = items(10);
  its[3] = ItemText{};  // no text: zeros, no request
  std::vector<float> out(10 * 8);
  e.embed(ptrs(its), out.data());
  EXPECT_EQ(s.requests.load(), 3) << "9 texts in batches of 4";
  EXPECT_EQ(s.embedding_inputs.load(), 9);
  for (int i = 0; i < 10; ++i) {
    std::vector<float> want(8, 0.0f);
    if (i != 3) {
      want = StubServer::vector_for(item_text_for_model(its[i], 4000), 8);
      l2_normalize(want.data(), 8);
    }
    for (int j = 0; j < 8; ++j) EXPECT_NEAR(out[i * 8 + j], want[j], 1e-6) << i << "," << j;
  }
}

TEST(HttpEmbedder, BoundsConcurrentRequests) {
  StubServer s;
  s.behavior.delay_s = 0.05;
  auto c = fast_config(s);
  c.batch_size = 1;
  c.max_concurrency = 2;
  HttpEmbedder e(c);
  auto its = items(8);
  std::vector<float> out(8 * 8);
  e.embed(ptrs(its), out.data());
  EXPECT_EQ(s.requests.load(), 8);
  EXPECT_LE(s.max_in_flight.load(), 2);
  EXPECT_GE(s.max_in_flight.load(), 2) << "requests do run in parallel";
}

TEST(HttpEmbedder, SendsTheKeyButNeverQuotesIt) {
  StubServer s;
  ::setenv("STARS_TEST_EMBED_KEY", "sk-test-secret-123", 1);
  auto c = fast_config(s);
  HttpEmbedder e(c);
  auto its = items(2);
  std::vector<float> out(2 * 8);
  e.embed(ptrs(its), out.data());
  EXPECT_EQ(s.last_authorization(), "Bearer sk-test-secret-123");
  s.behavior.fail_first = 1000;  // the stub echoes the Authorization header in its error body
  s.behavior.fail_status = 401;
  HttpEmbedder e2(c);
  ErrorCode code{};
  const std::string msg = error_of([&] { e2.embed(ptrs(its), out.data()); }, &code);
  EXPECT_EQ(code, ErrorCode::kInvalidArgument);
  EXPECT_NE(msg.find("401"), std::string::npos) << msg;
  EXPECT_NE(msg.find("STARS_TEST_EMBED_KEY"), std::string::npos) << "names the variable: " << msg;
  EXPECT_EQ(msg.find("sk-test-secret-123"), std::string::npos) << "never the key: " << msg;
  ::unsetenv("STARS_TEST_EMBED_KEY");
}

TEST(HttpEmbedder, RetriesRateLimitsAndServerErrors) {
  StubServer s;
  s.behavior.fail_first = 2;
  s.behavior.fail_status = 429;
  s.behavior.retry_after = "0";
  auto c = fast_config(s);
  c.max_concurrency = 1;
  HttpEmbedder e(c);
  auto its = items(4);
  std::vector<float> out(4 * 8);
  e.embed(ptrs(its), out.data());
  EXPECT_EQ(s.requests.load(), 3) << "two 429s, then success";
  EXPECT_EQ(e.client().retries(), 2);

  StubServer down;
  down.behavior.fail_first = 1000;
  down.behavior.fail_status = 503;
  auto c2 = fast_config(down);
  c2.max_retries = 2;
  HttpEmbedder e2(c2);
  ErrorCode code{};
  const std::string msg = error_of([&] { e2.embed(ptrs(its), out.data()); }, &code);
  EXPECT_EQ(code, ErrorCode::kUnavailable);
  EXPECT_EQ(down.requests.load(), 3) << "1 try + 2 retries";
  EXPECT_NE(msg.find("3 attempts"), std::string::npos) << msg;
  EXPECT_NE(msg.find("503"), std::string::npos) << msg;
}

TEST(HttpEmbedder, TimesOut) {
  StubServer s;
  s.behavior.delay_s = 1.0;
  auto c = fast_config(s);
  c.read_timeout_s = 0.2;
  c.max_retries = 1;
  HttpEmbedder e(c);
  auto its = items(1);
  std::vector<float> out(8);
  ErrorCode code{};
  const std::string msg = error_of([&] { e.embed(ptrs(its), out.data()); }, &code);
  EXPECT_EQ(code, ErrorCode::kUnavailable) << msg;
  EXPECT_NE(msg.find("2 attempts"), std::string::npos) << msg;
}

TEST(HttpEmbedder, RejectsMalformedRepliesAndWrongDimensions) {
  auto its = items(3);
  std::vector<float> out(3 * 8);
  {
    StubServer s;
    s.behavior.malformed_json = true;
    HttpEmbedder e(fast_config(s));
    ErrorCode code{};
    const std::string msg = error_of([&] { e.embed(ptrs(its), out.data()); }, &code);
    EXPECT_EQ(code, ErrorCode::kCorrupt);
    EXPECT_NE(msg.find("not valid JSON"), std::string::npos) << msg;
    EXPECT_EQ(s.requests.load(), 1) << "a malformed reply is not retried";
  }
  {
    StubServer s;
    s.behavior.missing_data = true;
    HttpEmbedder e(fast_config(s));
    EXPECT_NE(error_of([&] { e.embed(ptrs(its), out.data()); }).find("\"data\""), std::string::npos);
  }
  {
    StubServer s;
    s.behavior.dim = 7;
    HttpEmbedder e(fast_config(s));
    const std::string msg = error_of([&] { e.embed(ptrs(its), out.data()); });
    EXPECT_NE(msg.find("dimension 7, expected 8"), std::string::npos) << msg;
  }
  {
    StubServer s;
    auto c = fast_config(s);
    c.base_url = s.base_url() + "/wrong";
    HttpEmbedder e(c);
    ErrorCode code{};
    const std::string msg = error_of([&] { e.embed(ptrs(its), out.data()); }, &code);
    EXPECT_EQ(code, ErrorCode::kInvalidArgument);
    EXPECT_NE(msg.find("404"), std::string::npos) << msg;
  }
  {
    HttpEmbedConfig c;
    c.base_url = "http://127.0.0.1:1/v1";  // nothing listens there
    c.dim = 8;
    c.max_retries = 0;
    HttpEmbedder e(c);
    ErrorCode code{};
    error_of([&] { e.embed(ptrs(its), out.data()); }, &code);
    EXPECT_EQ(code, ErrorCode::kUnavailable);
  }
}

TEST(HttpEmbedder, LearnsTheDimensionWhenNotConfigured) {
  StubServer s;
  s.behavior.dim = 12;
  auto c = fast_config(s);
  c.dim = 0;
  HttpEmbedder e(c);
  EXPECT_EQ(e.dim(), 0);
  EXPECT_EQ(e.discover_dim(), 12);
  auto its = items(5);
  std::vector<float> out(5 * 12);
  e.embed(ptrs(its), out.data());
  double ss = 0;
  for (int j = 0; j < 12; ++j) ss += out[j] * out[j];
  EXPECT_NEAR(ss, 1.0, 1e-5);
}

TEST(LlmTagger, ParsesAnswersInManyShapes) {
  const auto v = TagVocabulary::parse("organic\nvegan = plant based\ngluten-free = gluten free\n", "t.tags");
  std::vector<int32_t> tags;
  std::vector<std::string> unknown;
  EXPECT_TRUE(parse_tag_answer("{\"tags\": [\"Organic\", \"Plant-Based\", \"spicy\"]}", v, &tags, &unknown));
  EXPECT_EQ(tags, std::vector<int32_t>({0, 1}));
  EXPECT_EQ(unknown, std::vector<std::string>({"spicy"}));
  unknown.clear();
  EXPECT_TRUE(parse_tag_answer("Sure! ```json\n[\"gluten free\"]\n```", v, &tags, &unknown));
  EXPECT_EQ(tags, std::vector<int32_t>({2}));
  EXPECT_TRUE(parse_tag_answer("{\"tags\": []}", v, &tags, &unknown));
  EXPECT_TRUE(tags.empty());
  EXPECT_FALSE(parse_tag_answer("organic, vegan", v, &tags, &unknown));
  EXPECT_FALSE(parse_tag_answer("{\"labels\": [\"organic\"]}", v, &tags, &unknown));
}

TEST(LlmTagger, NormalisesCountsUnknownAndCachesByText) {
  StubServer s;
  const auto vocab = TagVocabulary::parse("organic\nvegan\n", "t.tags");
  LlmTagConfig c;
  c.base_url = s.base_url();
  c.model = "stub-chat";
  c.max_concurrency = 2;
  c.backoff_initial_s = 0.01;
  const std::string cache = temp_dir("llm_cache") + "/llm-tags.jsonl";
  std::vector<ItemText> its(4);
  its[0].title = "Organic Oats";
  its[1].title = "vegan cheese";
  its[2].title = "Plain water";
  its[3] = ItemText{};  // no text: no request
  {
    LlmTagger t(c, vocab, cache);
    const auto tags = t.tag(ptrs(its));
    EXPECT_EQ(tags[0], std::vector<int32_t>({0}));
    EXPECT_EQ(tags[1], std::vector<int32_t>({1}));
    EXPECT_TRUE(tags[2].empty());
    EXPECT_TRUE(tags[3].empty());
    EXPECT_EQ(t.stats().requested, 3);
    EXPECT_EQ(t.stats().unknown_tags, 3) << "'moon-made' in every answer";
    EXPECT_EQ(s.chat_requests.load(), 3);
  }
  its[2].title = "Organic water";  // changed text: asked again; the rest come from the cache
  LlmTagger again(c, vocab, cache);
  const auto tags = again.tag(ptrs(its));
  EXPECT_EQ(s.chat_requests.load(), 4);
  EXPECT_EQ(again.stats().cached, 2);
  EXPECT_EQ(tags[0], std::vector<int32_t>({0}));
  EXPECT_EQ(tags[2], std::vector<int32_t>({0}));
}

TEST(LlmTagger, InvalidAnswersAreCountedAndNotCached) {
  StubServer s;
  s.behavior.chat_answer = [](const std::string&) { return std::string("I think it is organic."); };
  const auto vocab = TagVocabulary::parse("organic\n", "t.tags");
  LlmTagConfig c;
  c.base_url = s.base_url();
  const std::string cache = temp_dir("llm_invalid") + "/llm-tags.jsonl";
  std::vector<ItemText> its(1);
  its[0].title = "Organic Oats";
  LlmTagger t(c, vocab, cache);
  EXPECT_TRUE(t.tag(ptrs(its))[0].empty());
  EXPECT_EQ(t.stats().invalid_answers, 1);
  LlmTagger again(c, vocab, cache);
  again.tag(ptrs(its));
  EXPECT_EQ(s.chat_requests.load(), 2) << "an invalid answer is asked again next run";
}

}  // namespace
}  // namespace stars::semantics
