// The service's web page in headless Chromium (Debian `chromium`): the scripted tour loads a user, shows
// the three lists, clicks "view" on an item (a real DOM click that posts an event) and shows the lists
// re-ranked by the live session; a new user with features filled in from the URL is served from them.
// Writes a screenshot to the build folder (serve_web_page.png).
// Skipped when Chromium is not installed.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <regex>

#include "stars/serve/http_server.h"
#include "stars/serve/routes.h"
#include "test_world.h"

namespace stars::serve {
namespace {

using testing::TempDir;

std::string chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (file_exists(p)) return p;
  return "";
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  pclose(f);
  return out;
}

std::string attribute(const std::string& html, const std::string& name) {
  std::smatch m;
  if (std::regex_search(html, m, std::regex(name + "=\"([^\"]*)\""))) return m[1];
  return "";
}

TEST(WebPage, HeadlessChromiumTour) {
  const std::string browser = chromium();
  if (browser.empty()) GTEST_SKIP() << "chromium is not installed";
  TempDir tmp;
  const std::string dir = testing::make_tiny_snapshot(tmp);
  auto ds = data::Dataset::open(tmp / "ds");
  auto svc = testing::make_service(dir, ds->num_items(), nullptr, {/*cold_users=*/true, nullptr, {}});
  Router router(*svc, "");
  HttpOptions o;
  o.port = 0;
  o.threads = 16;
  HttpServer server(router, o);
  const int port = server.bind();
  server.start();

  const std::string flags = " --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
                            " --disable-sync --no-first-run --disable-dev-shm-usage --window-size=1400,1000"
                            " --virtual-time-budget=15000";
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const std::string dom = run("timeout 90 " + browser + flags + " --user-data-dir=" + (tmp / "profile1") + " --dump-dom '" +
                              base + "/?user=u1&tour=1' 2>/dev/null");
  ASSERT_NE(dom.find("STARS serving explorer"), std::string::npos) << dom.substr(0, 500);
  EXPECT_EQ(attribute(dom, "data-tour"), "done") << dom.substr(0, 4000);
  const std::string clicked = attribute(dom, "data-clicked");
  const std::string before = attribute(dom, "data-before"), after = attribute(dom, "data-after");
  ASSERT_FALSE(clicked.empty());
  EXPECT_NE(before, after);
  EXPECT_EQ(after.substr(0, after.find(',')), clicked);  // the viewed item now leads h_next
  EXPECT_NE(dom.find("source: live_session"), std::string::npos);
  EXPECT_NE(dom.find("class=\"live\""), std::string::npos);  // the event shows in the history
  // The server saw the click.
  EXPECT_EQ(svc->user("u1").session_version, 1u);

  // A new user with features (from the URL) is served from them.
  const std::string cold = run("timeout 90 " + browser + flags + " --user-data-dir=" + (tmp / "profile3") + " --dump-dom '" +
                               base + "/?user=walk-in&f.age=31&f.region=bakery' 2>/dev/null");
  EXPECT_NE(cold.find("id=\"uf-age\""), std::string::npos) << cold.substr(0, 4000);
  EXPECT_NE(cold.find("source: user_features"), std::string::npos) << cold.substr(0, 4000);

  const std::string png = std::string(STARS_BINARY_DIR) + "/serve_web_page.png";
  std::remove(png.c_str());
  run("timeout 90 " + browser + flags + " --user-data-dir=" + (tmp / "profile2") + " --screenshot=" + png + " '" + base +
      "/?user=u5&tour=1' >/dev/null 2>&1");
  EXPECT_TRUE(file_exists(png)) << "no screenshot at " << png;
  server.stop();
}

}  // namespace
}  // namespace stars::serve
