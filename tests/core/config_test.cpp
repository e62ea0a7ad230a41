#include <gtest/gtest.h>

#include "stars/core/config.h"

namespace stars {
namespace {

struct Inner {
  int layers = 2;
  std::vector<int> sizes = {1, 2};
  template <class V>
  void visit(V& v) {
    v("layers", layers, "number of layers");
    v("sizes", sizes, "sizes");
  }
};

struct Outer {
  float lr = 1e-3f;
  std::string name = "x";
  bool flag = false;
  Inner inner;
  template <class V>
  void visit(V& v) {
    v("lr", lr, "learning rate");
    v("name", name, "a name");
    v("flag", flag, "a flag");
    v("inner", inner, "nested");
  }
};

TEST(Config, JsonRoundTripAndSet) {
  Outer a;
  config_apply_set(a, "lr=0.5");
  config_apply_set(a, "inner.layers=4");
  config_apply_set(a, "inner.sizes=3,4,5");
  config_apply_set(a, "flag=true");
  const std::string text = config_to_json(a).dump();
  Outer b;
  config_from_json(JsonObject::parse(text, "test"), b, "config");
  EXPECT_FLOAT_EQ(b.lr, 0.5f);
  EXPECT_EQ(b.inner.layers, 4);
  EXPECT_EQ(b.inner.sizes, (std::vector<int>{3, 4, 5}));
  EXPECT_TRUE(b.flag);
  EXPECT_NE(config_help(a).find("inner.layers"), std::string::npos);
}

TEST(Config, UnknownKeysAndBadTypesAreErrors) {
  Outer a;
  EXPECT_THROW(config_apply_set(a, "nope=1"), Error);
  EXPECT_THROW(config_apply_set(a, "lr=fast"), Error);
  EXPECT_THROW(config_apply_set(a, "lr"), Error);
  try {
    config_from_json(JsonObject::parse(R"({"inner": {"layerz": 3}})", "t"), a, "config");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("config.inner: unknown configuration key 'layerz'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(config_from_json(JsonObject::parse(R"({"lr": "x"})", "t"), a, "config"), Error);
  EXPECT_THROW(JsonObject::parse("{bad", "t"), Error);
}

}  // namespace
}  // namespace stars
