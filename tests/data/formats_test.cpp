// MovieLens (100K, 1M, CSV), RecBole, sequences with Amazon side files, format detection and splits.
#include <gtest/gtest.h>

#include <cmath>

#include "stars/core/error.h"
#include "stars/data/dataset.h"
#include "stars/data/format_detect.h"
#include "stars/data/value_parsing.h"
#include "test_files.h"

namespace stars::data {
namespace {

using testing::contains;
using testing::fresh_dir;
using testing::try_prepare;
using testing::write_file;

std::string genre_flags(int on) {
  std::string s;
  for (int g = 0; g < 19; ++g) s += std::string("|") + (g == on ? "1" : "0");
  return s;
}

std::string ml100k(const std::string& name) {
  const std::string d = fresh_dir(name);
  // Latin-1 bytes, as in the original files: "Mis\xE9rables" in the second title.
  write_file(d, "u.item", "1|Toy Story (1995)|01-Jan-1995||http://x" + genre_flags(3) + "\n" +
                              "2|Mis\xE9rables, Les (1995)|01-Jan-1995||http://y" + genre_flags(8) + "\n");
  write_file(d, "u.user", "1|24|M|technician|85711\n2|53|F|other|T8H1N\n");
  write_file(d, "u.genre", "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\nCrime|6\n"
                           "Documentary|7\nDrama|8\nFantasy|9\nFilm-Noir|10\nHorror|11\nMusical|12\nMystery|13\n"
                           "Romance|14\nSci-Fi|15\nThriller|16\nWar|17\nWestern|18\n\n");
  write_file(d, "u.data", "1\t1\t5\t881250949\n1\t2\t3\t881250900\n2\t1\t4\t881250000\n1\t2\t1\t881251000\n");
  return d;
}

TEST(Movielens, Reads100KWithGenresLatin1AndDemographics) {
  PrepareResult res;
  auto ds = testing::prepare_and_open(ml100k("ml100k"), "ml100k_out", &res);
  ASSERT_TRUE(ds);
  EXPECT_EQ(res.format, "movielens");
  EXPECT_EQ(ds->num_users(), 2);
  EXPECT_EQ(ds->num_items(), 2);
  EXPECT_EQ(ds->num_events(), 4);
  EXPECT_EQ(*ds->find_item("1"), 0) << "dense ids follow u.item order";
  EXPECT_EQ(ds->item_title(1), "Mis\xC3\xA9rables, Les (1995)") << "Latin-1 converted to UTF-8";
  ASSERT_EQ(ds->item_tags(0).size(), 1u);
  EXPECT_EQ(ds->tag_names()[ds->item_tags(0)[0]], "Animation");
  EXPECT_EQ(ds->tag_names()[ds->item_tags(1)[0]], "Drama");
  EXPECT_EQ(ds->user_numeric_names(), (std::vector<std::string>{"age"}));
  EXPECT_FLOAT_EQ(ds->user_numeric(0)[0], 24.0f);
  ASSERT_EQ(ds->user_categorical_features().size(), 3u);
  EXPECT_EQ(ds->user_categorical_features()[2].name, "zip_prefix");
  EXPECT_EQ(ds->user_categorical_features()[2].vocab[ds->user_categorical(2)[1]], "T");
  auto e = ds->user_events(0);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e.ts[0], 881250900);
  EXPECT_EQ(e.ts[2], 881251000);
  EXPECT_TRUE(ds->event_context_features().empty()) << "ratings are not context unless asked";
}

TEST(Movielens, MinRatingAndRatingContext) {
  auto ds = testing::prepare_and_open(ml100k("ml100k_r"), "ml100k_r_out", nullptr, {"min_rating=3", "rating_context=true"});
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->num_events(), 3);
  ASSERT_EQ(ds->event_context_features().size(), 1u);
  EXPECT_EQ(ds->event_context_features()[0].name, "rating");
}

TEST(Movielens, BadRowsNameFileAndLine) {
  const std::string in = ml100k("ml100k_bad");
  const std::string data = write_file(in, "u.data", "1\t1\t5\t881250949\n1\t2\t3\n1\t9\t3\t881250949\n2\t1\tfive\t1\n");
  PrepareResult res;
  const std::string msg = try_prepare(in, fresh_dir("ml_bad_out"), OnError::kFail);
  EXPECT_TRUE(contains(msg, data + ":2: column_count")) << msg;
  EXPECT_TRUE(contains(msg, data + ":3: unknown_item")) << msg;
  EXPECT_TRUE(contains(msg, data + ":4: bad_number")) << msg;
  ASSERT_EQ(try_prepare(in, fresh_dir("ml_bad_out"), OnError::kSkip, &res), "");
  EXPECT_EQ(res.events, 1);
  EXPECT_EQ(res.bad_rows, 3);
}

TEST(Movielens, Reads1MWithDoubleColonSeparators) {
  const std::string d = fresh_dir("ml1m");
  write_file(d, "movies.dat", "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Jumanji (1995)::Adventure\n");
  write_file(d, "users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n");
  write_file(d, "ratings.dat", "1::1::5::978300760\n1::2::3::978302109\n2::2::4::978301968\n");
  const std::string out = fresh_dir("ml1m_out");
  ASSERT_EQ(try_prepare(d, out, OnError::kFail), "");
  auto ds = Dataset::open(out);
  EXPECT_EQ(ds->num_events(), 3);
  EXPECT_EQ(ds->item_tags(0).size(), 3u);
  EXPECT_FLOAT_EQ(ds->user_numeric(0)[1], 56.0f);
  const auto& occ = ds->user_categorical_features()[1];
  EXPECT_EQ(occ.name, "occupation");
  EXPECT_EQ(occ.vocab[ds->user_categorical(1)[0]], "K-12 student") << "occupation codes become names";
}

TEST(Movielens, ReadsTheCsvRelease) {
  const std::string d = fresh_dir("mlcsv");
  write_file(d, "movies.csv", "movieId,title,genres\n1,\"American President, The (1995)\",Comedy|Drama|Romance\n2,X,(no genres listed)\n");
  write_file(d, "ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,3.5,964981247\n");
  const std::string out = fresh_dir("mlcsv_out");
  ASSERT_EQ(try_prepare(d, out, OnError::kFail), "");
  auto ds = Dataset::open(out);
  EXPECT_EQ(ds->item_title(0), "American President, The (1995)");
  EXPECT_EQ(ds->item_tags(0).size(), 3u);
  EXPECT_EQ(ds->item_tags(1).size(), 0u);
  EXPECT_EQ(ds->user_events(0).items[0], 1) << "time order";
}

TEST(Recbole, ReadsTypedAtomicFiles) {
  const std::string d = fresh_dir("recbole");
  write_file(d, "toy.inter",
             "user_id:token\titem_id:token\trating:float\ttimestamp:float\tdevice:token\n"
             "u1\ti1\t5\t100.7\tios\nu1\ti2\t3\t50\tweb\nu2\ti1\t4\t70\tios\n");
  write_file(d, "toy.item",
             "item_id:token\ttitle:token\tcategories:token_seq\tbrand:token\tprice:float\tcolor:token\tgenre:token_seq\n"
             "i1\tLip Balm\t'Beauty', 'Skin Care', 'Lips'\tAcme\t3.5\tred\tcare soft\n"
             "i2\tPerfume\t\"'Beauty', 'Fragrance', 'Women's'\"\t\t\t\t\n");
  write_file(d, "toy.user", "user_id:token\tage:float\tgender:token\nu1\t30\tF\nu2\t\tM\n");
  const std::string out = fresh_dir("recbole_out");
  PrepareResult res;
  ASSERT_EQ(try_prepare(d, out, OnError::kFail, &res), "");
  EXPECT_EQ(res.format, "recbole");
  auto ds = Dataset::open(out);
  EXPECT_EQ(ds->num_events(), 3);
  EXPECT_EQ(ds->user_events(0).ts[0], 50);
  EXPECT_EQ(ds->user_events(0).ts[1], 100);
  EXPECT_EQ(ds->item_category(0), "Beauty > Skin Care > Lips");
  EXPECT_EQ(ds->subclass_names()[ds->item_subclass(1)], "Women's") << "quoted field and inner apostrophe";
  EXPECT_EQ(ds->brand_names()[ds->item_brand(0)], "Acme");
  EXPECT_FLOAT_EQ(ds->item_price(0), 3.5f);
  std::vector<std::string> tags;
  for (int32_t t : ds->item_tags(0)) tags.push_back(ds->tag_names()[t]);
  EXPECT_EQ(tags, (std::vector<std::string>{"color=red", "genre=care", "genre=soft"}));
  EXPECT_EQ(ds->user_numeric_names(), (std::vector<std::string>{"age"}));
  ASSERT_EQ(ds->event_context_features().size(), 1u);
  EXPECT_EQ(ds->event_context_features()[0].name, "device");
}

TEST(Recbole, HeaderWithoutTypesIsAnError) {
  const std::string d = fresh_dir("recbole_bad");
  const std::string p = write_file(d, "x.inter", "user_id\titem_id\nu\ti\n");
  ErrorCode code;
  const std::string msg = try_prepare(d, fresh_dir("rb_out"), OnError::kFail, nullptr, {}, "", &code);
  EXPECT_EQ(code, ErrorCode::kCorrupt);
  EXPECT_TRUE(contains(msg, p + ":1:")) << msg;
  EXPECT_TRUE(contains(msg, "name:type")) << msg;
}

TEST(Recbole, BadRowsNameFileAndLine) {
  const std::string d = fresh_dir("recbole_rows");
  const std::string inter = write_file(d, "t.inter",
                                       "user_id:token\titem_id:token\ttimestamp:float\n"
                                       "u\ti1\t10\nu\ti2\nu\ti1\tlater\nu\tnope\t12\n\ti1\t13\n");
  const std::string item = write_file(d, "t.item", "item_id:token\tprice:float\ni1\t2\ni2\tcheap\ni1\t3\n");
  const std::string msg = try_prepare(d, fresh_dir("recbole_rows_out"), OnError::kFail);
  EXPECT_TRUE(contains(msg, item + ":3: bad_number")) << msg;
  EXPECT_TRUE(contains(msg, item + ":4: duplicate_id")) << msg;
  PrepareResult res;
  ASSERT_EQ(try_prepare(d, fresh_dir("recbole_rows_out"), OnError::kSkip, &res), "");
  EXPECT_EQ(res.events, 1);
  for (const char* part : {":3: column_count", ":4: bad_time", ":5: unknown_item", ":6: empty_id"})
    EXPECT_TRUE(contains(res.errors_summary, inter + part)) << res.errors_summary;
}

std::string amazon_like(const std::string& name) {
  const std::string d = fresh_dir(name);
  write_file(d, "sequences.txt", "1 1 2 3 4\n2 3 2 1\n3 4 1 2 3 4 1\n");
  write_file(d, "item_short_text.tsv", "item_id\tasin\ttext\n1\tB1\tnail lacquer\n2\tB2\tlip balm\n3\tB3\teye liner\n4\tB4\tsoap bar\n");
  write_file(d, "item2attributes.json", "{\"1\": [1, 2], \"2\": [2], \"3\": [], \"4\": [7]}");
  write_file(d, "shop.item",
             "item_id:token\ttitle:token\tcategories:token_seq\n"
             "1\tOPI Nail Lacquer, 0.5 oz\t'Beauty', 'Makeup', 'Nails', 'Nail Polish'\n"
             "2\tBurt's Lip Balm\t'Beauty', 'Skin Care', 'Lips'\n"
             "3\t\t'Beauty', 'Makeup', 'Eyes'\n"
             "4\tSoap\t\"'Beauty', 'Bath', 'Men's'\"\n");
  return d;
}

TEST(Sequences, AmazonLayoutJoinsTextAttributesAndCategories) {
  PrepareResult res;
  auto ds = testing::prepare_and_open(amazon_like("amazon"), "amazon_out", &res);
  ASSERT_TRUE(ds);
  EXPECT_EQ(res.format, "sequences");
  EXPECT_EQ(ds->num_users(), 3);
  EXPECT_EQ(ds->num_items(), 4);
  EXPECT_EQ(ds->num_events(), 13);
  EXPECT_FALSE(ds->info().has_time);
  EXPECT_EQ(ds->item_title(0), "OPI Nail Lacquer, 0.5 oz") << "full title from the .item file wins";
  EXPECT_EQ(ds->item_title(2), "eye liner") << "short text fills a missing title";
  EXPECT_EQ(ds->subclass_names()[ds->item_subclass(0)], "Nail Polish");
  EXPECT_EQ(ds->subclass_names()[ds->item_subclass(3)], "Men's");
  EXPECT_EQ(ds->subclass_names().size(), 4u);
  EXPECT_EQ(ds->item_tags(0).size(), 2u);
  EXPECT_EQ(ds->tag_names()[ds->item_tags(3)[0]], "attr:7");
  // Positional order and ordinal times.
  auto e = ds->user_events(*ds->find_user("2"));
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(ds->item_raw_id(e.items[0]), "3");
  EXPECT_EQ(ds->item_raw_id(e.items[2]), "1");
  EXPECT_EQ(e.ts[2], 2);
}

TEST(Sequences, BadLinesAreReported) {
  const std::string in = amazon_like("amazon_bad");
  const std::string p = write_file(in, "sequences.txt", "1 1 2 3\n2 3 9 1\n1 2 2\n3 4 4\n");
  const std::string msg = try_prepare(in, fresh_dir("amazon_bad_out"), OnError::kFail);
  EXPECT_TRUE(contains(msg, p + ":2: unknown_item")) << msg;
  EXPECT_TRUE(contains(msg, p + ":3: duplicate_id")) << msg;
  PrepareResult res;
  ASSERT_EQ(try_prepare(in, fresh_dir("amazon_bad_out"), OnError::kSkip, &res), "");
  EXPECT_EQ(res.events, 5);
}

TEST(Sequences, BadSideFilesAreReported) {
  const std::string in = amazon_like("amazon_side");
  const std::string attrs = write_file(in, "item2attributes.json", "{\"1\": [1], \"2\": \"x\", \"3\": [{}], \"9\": [2]}");
  const std::string text = write_file(in, "item_short_text.tsv", "item_id\tasin\ttext\n1\tA\tx\n2\tB\n\tC\tz\n");
  PrepareResult res;
  ASSERT_EQ(try_prepare(in, fresh_dir("amazon_side_out"), OnError::kSkip, &res), "");
  EXPECT_TRUE(contains(res.errors_summary, text + ":3: column_count")) << res.errors_summary;
  EXPECT_TRUE(contains(res.errors_summary, text + ":4: empty_id")) << res.errors_summary;
  EXPECT_TRUE(contains(res.errors_summary, attrs + ":1: bad_value")) << res.errors_summary;
  EXPECT_TRUE(contains(res.errors_summary, attrs + ":1: unknown_item")) << res.errors_summary;
  write_file(in, "item2attributes.json", "{\"1\": [1], ");
  ErrorCode code;
  const std::string msg = try_prepare(in, fresh_dir("amazon_side_out"), OnError::kSkip, nullptr, {}, "", &code);
  EXPECT_EQ(code, ErrorCode::kCorrupt);
  EXPECT_TRUE(contains(msg, "item2attributes.json: invalid JSON")) << msg;
}

TEST(Sequences, PairFilesAndBareSequences) {
  const std::string d = fresh_dir("pairs");
  write_file(d, "Beauty.txt", "1 10\n1 11\n2 10\n1 12\n");
  const std::string out = fresh_dir("pairs_out");
  ASSERT_EQ(try_prepare(d, out, OnError::kFail), "");
  auto ds = Dataset::open(out);
  EXPECT_EQ(ds->num_users(), 2);
  EXPECT_EQ(ds->user_events(0).size(), 3u);
  EXPECT_EQ(ds->item_raw_id(ds->user_events(0).items[2]), "12");
}

TEST(Splits, LeaveOneOutIsPositionalWithoutTimestamps) {
  const std::string in = amazon_like("loo"), out = fresh_dir("loo_out");
  ASSERT_EQ(try_prepare(in, out, OnError::kFail), "");
  auto ds = Dataset::open(out);
  // user "3": 4 1 2 3 4 1 -> test target is the last item (1), validation the second last (4).
  auto e = ds->user_events(*ds->find_user("3"));
  ASSERT_EQ(e.size(), 6u);
  EXPECT_EQ(ds->item_raw_id(e.items[e.size() - 1]), "1");
  EXPECT_EQ(ds->item_raw_id(e.items[e.size() - 2]), "4");
  EXPECT_EQ(ds->info().splits.loo_min_events, 3);
  const std::string stats = read_text_file(out + "/stats.json");
  EXPECT_TRUE(contains(stats, "\"users_with_targets\": 3")) << stats;
}

TEST(FormatDetection, FilesAndFoldersAndForcing) {
  EXPECT_EQ(detect_input_format(ml100k("det_ml")).format, "movielens");
  EXPECT_EQ(detect_input_format(amazon_like("det_amz")).format, "sequences");
  const std::string d = fresh_dir("det");
  EXPECT_EQ(detect_input_format(write_file(d, "events.tsv", "user_id\titem_id\nu\ti\n")).format, "native");
  EXPECT_EQ(detect_input_format(d).format, "native");
  EXPECT_EQ(detect_input_format(write_file(d, "a.inter", "user_id:token\titem_id:token\n")).format, "recbole");
  EXPECT_EQ(detect_input_format(write_file(d, "seqs.txt", "1 2 3\n2 3 4\n")).format, "sequences");
  try {
    detect_input_format(d + "/nothing_here");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
  const std::string empty = fresh_dir("det_empty");
  write_file(empty, "notes.md", "hello");
  try {
    detect_input_format(empty);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(contains(e.what(), "--format")) << e.what();
  }
  EXPECT_EQ(canonical_format("Amazon"), "sequences");
  EXPECT_THROW(canonical_format("parquet"), Error);
  // --format forces a reader: a .txt file of sequences read as native fails on its header.
  const std::string seq = write_file(fresh_dir("force"), "s.txt", "1 2 3\n");
  PrepareResult res;
  ASSERT_EQ(try_prepare(seq, fresh_dir("force_out"), OnError::kFail, &res, {}, "amazon"), "");
  EXPECT_EQ(res.format, "sequences");
  ErrorCode code;
  const std::string msg = try_prepare(seq, fresh_dir("force_out"), OnError::kFail, nullptr, {}, "native", &code);
  EXPECT_EQ(code, ErrorCode::kCorrupt);
  EXPECT_TRUE(contains(msg, "missing required column")) << msg;
}

TEST(ValueParsing, CategoryPathForms) {
  using V = std::vector<std::string>;
  EXPECT_EQ(parse_category_path("'Beauty', 'Fragrance', 'Women's', 'Eau de Parfum'"),
            (V{"Beauty", "Fragrance", "Women's", "Eau de Parfum"}));
  EXPECT_EQ(parse_category_path("['A', \"B, C\"]"), (V{"A", "B, C"}));
  EXPECT_EQ(parse_category_path("Dairy > Cream > Sour Cream"), (V{"Dairy", "Cream", "Sour Cream"}));
  EXPECT_EQ(parse_category_path("a, b"), (V{"a", "b"}));
  EXPECT_EQ(parse_category_path("x y"), (V{"x", "y"}));
  EXPECT_EQ(parse_category_path("  "), V{});
  EXPECT_TRUE(is_active_flag("yes"));
  EXPECT_TRUE(is_active_flag("Black Friday"));
  EXPECT_FALSE(is_active_flag("0"));
  EXPECT_FALSE(is_active_flag("0.0"));
  EXPECT_FALSE(is_active_flag("false"));
  EXPECT_FALSE(is_active_flag(""));
}

}  // namespace
}  // namespace stars::data
