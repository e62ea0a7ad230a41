// Bad input never crashes: every reader gets seeded random and mutated files (quotes, separators,
// newlines, NULs, invalid UTF-8, truncation) and must end with a dataset or a stars::Error.
#include <gtest/gtest.h>

#include "stars/core/random.h"
#include "test_files.h"

namespace stars::data {
namespace {

using testing::fresh_dir;
using testing::write_file;

// A valid file with random edits: bytes replaced by structural characters, inserted, deleted, or cut.
std::string mutate(const std::string& valid, Rng& rng) {
  static const char kChars[] = {'"', ',', '\t', '\n', '\r', '|', ':', '{', '}', '[', ']', '\\', '\0', 'x', '1', ' '};
  std::string s = valid;
  const int edits = 1 + static_cast<int>(rng.uniform(6));
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t pos = rng.uniform(s.size());
    switch (rng.uniform(5)) {
      case 0: s[pos] = kChars[rng.uniform(sizeof(kChars))]; break;
      case 1: s.insert(pos, 1, kChars[rng.uniform(sizeof(kChars))]); break;
      case 2: s.erase(pos, 1 + rng.uniform(4)); break;
      case 3: s[pos] = static_cast<char>(0x80 + rng.uniform(128)); break;  // stray high byte
      default: s.resize(pos); break;                                        // truncation
    }
  }
  return s;
}

struct Case {
  const char* format;
  std::vector<std::pair<const char*, const char*>> files;  // name, valid content
};

TEST(Fuzz, MutatedInputsNeverCrash) {
  const std::vector<Case> cases = {
      {"native",
       {{"items.csv", "item_id,title,category,price,tags,in_stock\na,\"A, b\",X > Y,1.5,p|q,1\nb,B,X > Z,,,0\n"},
        {"users.csv", "user_id,age,city\nu,31,x\nv,,y\n"},
        {"events.csv", "user_id,item_id,timestamp,event_type,session_id,page_id,region,device\n"
                       "u,a,1700000000,view,s,p,n,ios\nv,b,2024-03-01T00:00:00Z,purchase,,,,\n"},
        {"impressions.csv", "page_id,item_id\np,a\np,b\n"},
        {"calendar.csv", "date,region,xmas\n2024-12-25,,1\n"}}},
      {"native",
       {{"items.jsonl", "{\"item_id\": \"a\", \"tags\": [\"x\", 2], \"price\": 1e2}\n{\"item_id\": \"b\"}\n"},
        {"events.jsonl", "{\"user_id\": \"u\", \"item_id\": \"a\", \"timestamp\": 5}\n"
                         "{\"user_id\": \"v\", \"item_id\": \"b\", \"note\": \"\\u00e9\\n\"}\n"}}},
      {"recbole",
       {{"x.inter", "user_id:token\titem_id:token\ttimestamp:float\nu\ta\t1\nv\tb\t2\n"},
        {"x.item", "item_id:token\ttitle:token\tcategories:token_seq\na\tA\t'P', 'Q'\nb\tB\t\"'P', 'R's'\"\n"},
        {"x.user", "user_id:token\tage:float\nu\t3\n"}}},
      {"sequences",
       {{"sequences.txt", "1 1 2 3\n2 2 3 1\n"},
        {"item_short_text.tsv", "item_id\tasin\ttext\n1\tA\tx y\n2\tB\tz\n3\tC\tw\n"},
        {"item2attributes.json", "{\"1\": [1, 2], \"2\": [3], \"3\": []}"}}},
      {"movielens",
       {{"u.data", "1\t1\t5\t881250949\n2\t2\t3\t881250950\n"},
        {"u.item", "1|T (1995)|01-Jan-1995||u|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
                   "2|S (1996)|01-Jan-1996||u|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n"},
        {"u.user", "1|24|M|tech|85711\n2|53|F|other|T8H1N\n"}}},
  };
  Rng rng(2024);
  int ok = 0, errors = 0;
  for (int iter = 0; iter < 24; ++iter) {
    for (size_t c = 0; c < cases.size(); ++c) {
      const std::string dir = fresh_dir("fuzz");
      const size_t target = rng.uniform(cases[c].files.size());
      for (size_t f = 0; f < cases[c].files.size(); ++f) {
        const std::string valid = cases[c].files[f].second;
        write_file(dir, cases[c].files[f].first, f == target ? mutate(valid, rng) : valid);
      }
      for (OnError policy : {OnError::kFail, OnError::kSkip}) {
        // Detected or forced format: either way only stars::Error may come out.
        const std::string msg = testing::try_prepare(dir, fresh_dir("fuzz_out"), policy, nullptr,
                                                     {"threads=" + std::to_string(1 + iter % 2)},
                                                     iter % 3 == 0 ? cases[c].format : "");
        (msg.empty() ? ok : errors)++;
      }
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace stars::data
