// Opens the HTML report in headless Chromium (Debian `chromium`), takes a screenshot and checks that
// the charts were drawn: the bars of the two first palette colours cover many pixels, and the DOM has
// every chart. Skips when chromium is not installed. Writes the screenshot next to the report so a
// person can look at it (STARS_REPORT_SCREENSHOT=path copies it there).
#include <gtest/gtest.h>
#include <png.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "eval_test_util.h"
#include "stars/core/mmap_file.h"
#include "stars/eval/evaluation.h"
#include "stars/eval/report_html.h"

namespace stars::eval {
namespace {

std::string chromium_binary() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (std::filesystem::exists(p)) return p;
  return "";
}

std::string run_capture(const std::string& cmd) {
  std::string out;
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  pclose(f);
  return out;
}

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;
};

Image read_png(const std::string& path) {
  Image img;
  png_image p;
  std::memset(&p, 0, sizeof p);
  p.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&p, path.c_str())) return img;
  p.format = PNG_FORMAT_RGBA;
  img.width = p.width;
  img.height = p.height;
  img.rgba.resize(PNG_IMAGE_SIZE(p));
  if (!png_image_finish_read(&p, nullptr, img.rgba.data(), 0, nullptr)) img.rgba.clear();
  return img;
}

int64_t count_color(const Image& img, uint8_t r, uint8_t g, uint8_t b) {
  int64_t n = 0;
  for (size_t i = 0; i + 3 < img.rgba.size(); i += 4)
    n += std::abs(img.rgba[i] - r) <= 3 && std::abs(img.rgba[i + 1] - g) <= 3 && std::abs(img.rgba[i + 2] - b) <= 3;
  return n;
}

EvalResults report_fixture(const std::string& dir) {
  auto ds = testing::tiny_dataset("render");
  testing::RandomEncoder enc(ds->num_items(), 8, 3);
  // A training log for the curves.
  const std::string model_dir = dir + "/model";
  std::filesystem::create_directories(model_dir);
  std::ofstream log(model_dir + "/train_log.jsonl");
  for (int e = 1; e <= 8; ++e)
    log << "{\"epoch\": " << e << ", \"loss\": " << 5.0 / e << ", \"valid\": {\"ndcg@10\": " << 0.02 * std::log(1.0 + e)
        << "}, \"tokens_per_s\": " << 1000 + 10 * e << "}\n";
  log.close();
  EvalRequest req;
  req.config.bootstrap_samples = 100;
  req.config.permutation_samples = 100;
  req.config.lambdamart.rounds = 10;
  req.protocols = {Protocol::kLeaveOneOut, Protocol::kColdItem, Protocol::kSession};
  req.config.split = "test";
  req.baselines = baseline_names();
  req.models = {ModelSpec{"stars", model_dir, {Protocol::kLeaveOneOut, Protocol::kColdItem}, &enc}};
  req.threads = 2;
  req.command = "stars eval (render test)";
  EvalResults r = run_evaluation(*ds, req).results;
  r.ablation_protocol = "loo";
  const char* variants[] = {"full", "no-text", "no-tags", "no-context"};
  for (int v = 0; v < 4; ++v) {
    AblationRow a;
    a.variant = variants[v];
    a.description = v ? std::string(variants[v]).substr(3) : "nothing";
    a.strategy = "h_next";
    a.metrics["recall@10"] = Interval{0.1 - 0.02 * v, 0.09 - 0.02 * v, 0.11 - 0.02 * v};
    a.metrics["ndcg@10"] = Interval{0.05 - 0.01 * v, 0.045 - 0.01 * v, 0.055 - 0.01 * v};
    r.ablations.push_back(a);
  }
  return r;
}

TEST(ReportRender, ChromiumDrawsEveryChart) {
  const std::string chromium = chromium_binary();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed";
  const std::string dir = testing::temp_dir("render_out");
  const EvalResults r = report_fixture(dir);
  const std::string html_path = dir + "/report.html";
  write_report_html(html_path, r);
  const std::string html = read_text_file(html_path);
  size_t n_charts = 0;
  for (size_t p = html.find("data-chart="); p != std::string::npos; p = html.find("data-chart=", p + 1)) ++n_charts;
  // headline x3 (loo, cold, session), buckets, cold, ablations, 3 training curves at least.
  EXPECT_GE(n_charts, 9u);

  const std::string flags = " --headless --no-sandbox --disable-gpu --disable-background-networking "
                            "--disable-component-update --disable-sync --no-first-run --hide-scrollbars "
                            "--user-data-dir=" + dir + "/profile";
  // The DOM chromium parsed has every chart and every bar.
  const std::string dom = run_capture(chromium + flags + " --dump-dom file://" + html_path + " 2>/dev/null");
  size_t dom_charts = 0, dom_bars = 0;
  for (size_t p = dom.find("<svg"); p != std::string::npos; p = dom.find("<svg", p + 1)) ++dom_charts;
  for (size_t p = dom.find("class=\"bar\""); p != std::string::npos; p = dom.find("class=\"bar\"", p + 1)) ++dom_bars;
  EXPECT_EQ(dom_charts, n_charts) << "chromium parsed every inline SVG";
  EXPECT_GT(dom_bars, 30u);

  // The screenshot shows the charts: many pixels in the palette's first two colours.
  const std::string png = dir + "/report.png";
  run_capture(chromium + flags + " --window-size=1280,5200 --screenshot=" + png + " file://" + html_path + " 2>&1");
  ASSERT_TRUE(std::filesystem::exists(png)) << "chromium wrote no screenshot";
  const Image img = read_png(png);
  ASSERT_FALSE(img.rgba.empty()) << "screenshot is not a readable PNG";
  EXPECT_EQ(img.width, 1280);
  const int64_t blue = count_color(img, 0x4e, 0x79, 0xa7), orange = count_color(img, 0xf2, 0x8e, 0x2b);
  EXPECT_GT(blue, 3000) << "bars of the first series are drawn";
  EXPECT_GT(orange, 1500) << "bars of the second series are drawn";
  if (const char* keep = std::getenv("STARS_REPORT_SCREENSHOT")) {
    std::filesystem::copy_file(png, keep, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(html_path, std::string(keep) + ".html", std::filesystem::copy_options::overwrite_existing);
  }
}

}  // namespace
}  // namespace stars::eval
